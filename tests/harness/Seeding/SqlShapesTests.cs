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
    public void ADocumentComparedWithOneBuiltFromTheRowHasExactlyThoseKeys()
    {
        var shapes = SqlShapes.Infer([
            """
            perform 1 from purges_entities
            where not (purges_entities.row_key = 'purge')
               or purges_entities.value is distinct from jsonb_build_object(
                 'provisionerId', split_part(purges_entities.partition_key, '~', 1),
                 'workerType', split_part(purges_entities.partition_key, '~', 2),
                 'checkId', purges_entities.value ->> 'checkId',
                 'before', to_js_iso8601((purges_entities.value ->> 'before')::timestamptz));
            insert into purges (check_id) select (purges_entities.value ->> 'checkId')::bigint from purges_entities;
            """,
        ]);
        var value = shapes.Find("purges_entities", "value")!;
        Assert.That(value.ExactKeys, Is.EquivalentTo(new[] { "provisionerId", "workerType", "checkId", "before" }));
        Assert.That((value.Keys["workerType"].EqualsColumn, value.Keys["workerType"].EqualsPart), Is.EqualTo(("partition_key", (int?)2)));
        Assert.That(value.Keys["checkId"].JsonString, Is.True, "compared as text inside the document, though cast to bigint elsewhere");
        Assert.That(value.Keys["before"].Kind, Is.EqualTo(ShapeKind.Timestamp));
        var rowKey = shapes.Find("purges_entities", "row_key")!;
        Assert.That((rowKey.Kind, rowKey.TypeName), Is.EqualTo((ShapeKind.Constant, "purge")));
    }

    [Test]
    public void ShapedRowsAgreeAcrossColumnsOfARow()
    {
        var shapes = SqlShapes.Infer([
            "perform 1 from e where e.value is distinct from jsonb_build_object('id', e.partition_key, 'part', split_part(e.row_key, '/', 2)); select split_part(e.row_key, '/', 1) from e;",
        ]);
        var rules = ShapedValues.RulesFor(shapes, "e", new Dictionary<string, string> { ["partition_key"] = "text", ["row_key"] = "text", ["value"] = "jsonb" });
        for (var row = 0; row < 20; row++)
        {
            var faker = new Bogus.Faker { IndexFaker = row };
            var document = System.Text.Json.Nodes.JsonNode.Parse((string)rules["value"](faker)!)!.AsObject();
            Assert.That(document.Select(p => p.Key), Is.EqualTo(new[] { "id", "part" }), "exactly the keys of the built document");
            Assert.That((string?)document["id"], Is.EqualTo(rules["partition_key"](faker)));
            Assert.That((string?)document["part"], Is.EqualTo(((string)rules["row_key"](faker)!).Split('/')[1]));
        }
    }

    [Test]
    public void AColumnNoSqlReadsHasNoShape()
    {
        var shapes = SqlShapes.Infer(["select widgets.id from widgets where widgets.id = id_in;"]);
        Assert.That(shapes.Find("widgets", "data"), Is.Null);
    }

}
