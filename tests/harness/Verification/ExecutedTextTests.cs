using Tcdb.Verification;

namespace Tcdb.Harness.Tests.Verification;

/// <summary>
/// When the texts a PL/pgSQL body executes are bounded by its literals and the probe's arguments, and every
/// way they could name something else (joined pieces, values from a query, other writes) makes them unknown.
/// </summary>
[TestFixture]
public sealed class ExecutedTextTests
{
    private const string Scan = """
        declare
          sql text := 'select entities.partition_key, entities.value'
            || ' from queue_tasks_entities as entities'
            || ' where ($1 is null or entities.partition_key = $1)';
        begin
          if condition_in is not null then
            sql := sql || ' and (' || condition_in || ')';
          end if;
          sql := sql || ' order by entities.partition_key limit $2 offset $3';
          return query execute sql using partition_key_in, size_in, coalesce(page_in, 0);
        end
        """;

    private static readonly Dictionary<string, string?> ProbeArguments = new()
    {
        ["partition_key_in"] = "true",
        ["condition_in"] = "true",
        ["size_in"] = "1",
        ["page_in"] = "1",
    };

    [Test]
    public void AScanOfLiteralsAndTheProbesConditionIsBounded()
    {
        Assert.That(ExecutedText.IsBounded(Scan, ProbeArguments, out var used), Is.True);
        Assert.That(used, Is.EquivalentTo(new[] { "condition_in" }));
    }

    [Test]
    public void AScanIsUnknownWhenTheConditionIsNot()
    {
        var unknown = ProbeArguments.ToDictionary(p => p.Key, p => p.Key == "condition_in" ? null : p.Value);
        Assert.That(ExecutedText.IsBounded(Scan, unknown, out _), Is.False);
    }

    [Test]
    public void LiteralsAloneAreBoundedWithoutArguments()
    {
        Assert.That(ExecutedText.IsBounded("begin execute 'delete from ' || 'things'; end", new Dictionary<string, string?>(), out var used), Is.True);
        Assert.That(used, Is.Empty);
        Assert.That(ExecutedText.IsBounded("begin perform 1; end", new Dictionary<string, string?>(), out _), Is.True, "nothing executed");
    }

    [TestCase("begin execute 'select * from thi' || 'ngs'; end", TestName = "pieces that join into one name")]
    [TestCase("declare t text := 'queue_'; begin execute 'select * from ' || t || condition_in; end", TestName = "a variable ending in a name character before an argument")]
    [TestCase("begin execute 'select * from things where ' || condition_in || 'x'; end", TestName = "an argument followed by a name character")]
    [TestCase("begin execute format('select * from %I', condition_in); end", TestName = "format")]
    [TestCase("begin execute 'select * from ' || quote_ident(condition_in); end", TestName = "a function call in the chain")]
    [TestCase("declare sql text; begin select q.text into sql from queries q; execute sql; end", TestName = "select into")]
    [TestCase("declare sql text := 'select 1'; begin sql := (select q.text from queries q); execute sql; end", TestName = "an assignment from a query")]
    [TestCase("declare sql text := 'select 1'; begin for sql in select q.text from queries q loop execute sql; end loop; end", TestName = "a loop variable")]
    [TestCase("begin execute 'select * from ' || tg_table_name; end", TestName = "a variable PL/pgSQL sets")]
    [TestCase("begin condition_in := (select q.text from queries q); execute 'select ' || condition_in; end", TestName = "an argument assigned")]
    [TestCase("declare condition_in text := 'x'; begin execute 'select ' || condition_in; end", TestName = "an argument shadowed")]
    [TestCase("begin execute E'select * from \\x74hings'; end", TestName = "an escaped literal")]
    [TestCase("begin execute $q$select * from things$q$; end", TestName = "a dollar-quoted literal")]
    [TestCase("begin execute 'select * from \"thi' || 'ngs\"'; end", TestName = "a quoted name across pieces")]
    [TestCase("begin execute 'select ' || $1; end", TestName = "a positional parameter")]
    [TestCase("declare sql varchar(12) := 'select * from queue_tasks'; begin execute sql; end", TestName = "a variable that truncates")]
    [TestCase("declare sql text := 'select 1'; begin sql.x := 'a'; execute sql; end", TestName = "a qualified target")]
    [TestCase("declare sql text := ''; begin sql := sql || 'things'; execute 'select * from ' || sql; end", TestName = "an empty literal")]
    [TestCase("begin execute 'select 1' into strict condition_in; end", TestName = "execute into")]
    public void TextThatCanNameAnythingElseIsUnknown(string body)
    {
        Assert.That(ExecutedText.IsBounded(body, ProbeArguments, out _), Is.False);
    }
}
