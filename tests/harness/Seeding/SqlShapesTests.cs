using NUnit.Framework;
using Tcdb.Seeding.Shapes;

namespace Tcdb.Harness.Tests.Seeding;

/// <summary>Shape inference on SQL as Taskcluster's migrations write it.</summary>
[TestFixture]
public sealed class SqlShapesTests
{
    [Test]
    public void TypedKeysEnumsBuffersAndNestedArraysOfAQualifiedColumn()
    {
        var shapes = SqlShapes.Infer([
            "create type task_priority as enum ('lowest', 'high');",
            """
            insert into tasks (task_id, deadline, priority, payload, retries, group_id, tags)
            select
              e.partition_key,
              (e.value ->> 'deadline')::timestamptz,
              (e.value ->> 'priority')::task_priority,
              entity_buf_decode(e.value, 'payload')::jsonb,
              (e.value ->> 'retries')::integer,
              uuid_to_slugid((e.value ->> 'taskGroupId')::uuid),
              array(select jsonb_array_elements_text(e.value -> 'tags'))
            from queue_tasks_entities as e;
            perform 1 from queue_tasks_entities where queue_tasks_entities.value #>> '{details,kind}' = 'x' and queue_tasks_entities.value ? 'extra';
            """,
        ]);
        var value = shapes.Find("queue_tasks_entities", "value")!;
        Assert.That(value.Kind, Is.EqualTo(ShapeKind.Object));
        Assert.That(value.Keys["deadline"].Kind, Is.EqualTo(ShapeKind.Timestamp));
        Assert.That(value.Keys["priority"].Kind, Is.EqualTo(ShapeKind.Enum));
        Assert.That(value.Keys["priority"].Labels, Is.EqualTo(new[] { "lowest", "high" }));
        Assert.That(value.Keys["retries"].Kind, Is.EqualTo(ShapeKind.Integer));
        Assert.That(value.Keys["taskGroupId"].Kind, Is.EqualTo(ShapeKind.Uuid));
        Assert.That(value.Keys["tags"].Kind, Is.EqualTo(ShapeKind.Array));
        Assert.That(value.Keys["details"].Keys["kind"].Kind, Is.EqualTo(ShapeKind.Text));
        Assert.That(value.Keys, Does.ContainKey("extra"));
        Assert.That(value.Buffers["payload"].Kind, Is.EqualTo(ShapeKind.Object));
    }

    [Test]
    public void SplitTextAndSlugidsCarriedBackThroughACopy()
    {
        var shapes = SqlShapes.Infer([
            """
            insert into artifacts (task_id, run_id, name)
            select split_part(artifacts_entities.partition_key, '~', 1), split_part(artifacts_entities.partition_key, '~', 2)::integer, artifacts_entities.row_key
            from artifacts_entities;
            """,
            "return query select slugid_to_uuid(artifacts.task_id) from artifacts where artifacts.name like 'public/%';",
        ]);
        var key = shapes.Find("artifacts_entities", "partition_key")!;
        Assert.That(key.Kind, Is.EqualTo(ShapeKind.Parts));
        Assert.That(key.Separator, Is.EqualTo("~"));
        Assert.That(key.Parts[1].Kind, Is.EqualTo(ShapeKind.Slugid), "task_id is decoded as a slugid, and it comes from part 1");
        Assert.That(key.Parts[2].Kind, Is.EqualTo(ShapeKind.Integer));
        Assert.That(shapes.Find("artifacts_entities", "row_key")!.Prefix, Is.EqualTo("public/"), "name comes from row_key");
    }

    [Test]
    public void AColumnNoSqlReadsHasNoShape()
    {
        var shapes = SqlShapes.Infer(["select widgets.id from widgets where widgets.id = id_in;"]);
        Assert.That(shapes.Find("widgets", "data"), Is.Null);
    }

    [Test]
    public void PrintDb()
    {
        var dir = Tcdb.Testing.DbDirectories.Find();
        var shapes = SqlShapes.Infer(Tcdb.Schema.SchemaLoader.Load(dir));
        foreach (var ((t, c), s) in shapes.Columns.Where(kv => !kv.Value.IsEmpty).OrderBy(kv => kv.Key.Table))
        {
            TestContext.Out.WriteLine($"{t}.{c}: {s}");
        }
    }
}
