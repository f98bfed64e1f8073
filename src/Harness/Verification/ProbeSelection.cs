using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Tcdb.Schema;
using Tcdb.Snapshots;

namespace Tcdb.Verification;

/// <summary>
/// Which stored functions a probe point must really call. Calling a function with the generated arguments
/// gives an outcome that is a function of its footprint: its own definition, every catalog object its text
/// can reach, the rows of the tables among them, and the parts of the catalog the snapshots do not model.
/// A function whose footprint an earlier call already had gets that call's outcome; the others are called.
/// <para>
/// What a function reaches is closed over names: a name in its text (identifiers, quoted identifiers and
/// the words inside string literals) reaches every object of that name, and for a table every object on
/// it (columns, constraints, indexes, triggers, policies, grants) and every table whose foreign key points
/// at it; whatever those objects name in turn (a trigger's function, a default's sequence, a view's tables,
/// a called function's body) is reached as well. A function is always called when its footprint cannot be
/// known: it or anything it reaches builds SQL at run time (<c>execute</c>, <c>format(</c>, the functions
/// that run SQL text) or is written in another language, it reaches a table whose rows are not snapshot
/// (a materialized view, a harness table), or the database holds what the model leaves out (objects
/// outside schema public, inheritance, foreign tables, rewrite rules, event triggers).
/// </para>
/// Safe to share between the segments of a run: outcomes are content-addressed.
/// </summary>
internal sealed class ProbeSelection
{
    /// <summary>The catalog the snapshots read; anything outside it is judged by <see cref="ScopeSql"/>.</summary>
    private const string Schema = "public";

    // Catalogs whose user-made rows (oid >= 16384) count as one input of every footprint, each as its rows' oid:xmin list.
    private static readonly string[] OidCatalogs =
    [
        "pg_operator", "pg_cast", "pg_collation", "pg_conversion", "pg_opclass", "pg_opfamily", "pg_am", "pg_language",
        "pg_ts_config", "pg_ts_dict", "pg_ts_parser", "pg_ts_template", "pg_transform",
    ];

    private static readonly string OidCatalogVersions = string.Join(
        ",\n  ",
        OidCatalogs.Select(c => $"(select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from {c} x where x.oid >= 16384)"));

    // Null when the database holds objects the model cannot follow; otherwise a hash of the catalog rows
    // outside the snapshots' kinds that can change how a body runs (any new version of them changes it).
    private static readonly string ScopeSql = $$"""
        select case when
            exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where c.oid >= 16384 and n.nspname <> 'public' and n.nspname !~ '^pg_(toast|temp_|toast_temp_)')
         or exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.oid >= 16384 and n.nspname <> 'public')
         or exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace
                    where t.oid >= 16384 and n.nspname <> 'public' and n.nspname !~ '^pg_(toast|temp_|toast_temp_)')
         or exists (select from pg_inherits i where i.inhrelid >= 16384)
         or exists (select from pg_class c where c.relkind = 'f')
         or exists (select from pg_rewrite r where r.oid >= 16384 and r.rulename <> '_RETURN')
         or exists (select from pg_event_trigger)
        then null else md5(concat_ws(';',
          (select string_agg(e.extname || ':' || e.extversion || ':' || e.xmin, ',' order by e.extname) from pg_extension e),
          (select string_agg(s.setrole || ':' || s.xmin || ':' || array_to_string(s.setconfig, ','), ',' order by s.setrole) from pg_db_role_setting s
            where s.setdatabase = 0 or s.setdatabase = (select d.oid from pg_database d where d.datname = current_database())),
          (select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from pg_namespace x where x.oid >= 16384 and x.nspname !~ '^pg_(toast_)?temp_'),
          {{OidCatalogVersions}},
          (select string_agg(x.aggfnoid::oid || ':' || x.xmin, ',' order by x.aggfnoid::oid) from pg_aggregate x where x.aggfnoid::oid >= 16384),
          (select string_agg(x.oid || ':' || x.xmin, ',' order by x.oid) from pg_type x where x.oid >= 16384 and x.typtype in ('b', 'p') and x.typcategory <> 'A')))
        end
        """;

    /// <summary>Functions of the system catalog that run SQL handed to them as text.</summary>
    private static readonly HashSet<string> SqlTextFunctions = new(StringComparer.Ordinal)
    {
        "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
        "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema", "schema_to_xml", "schema_to_xmlschema",
        "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
        "ts_stat", "ts_rewrite", "lo_get", "lo_open", "loread", "lo_export", "lo_import",
    };

    /// <summary>Types whose probe constant reads, concatenated into text, as the constant is written.</summary>
    private static readonly HashSet<string> ConstantTypes = new(StringComparer.Ordinal) { "text", "integer", "bigint", "smallint" };

    private static readonly Regex Words = new(@"""(?:[^""]|"""")+""|[\p{L}_][\p{L}\p{N}_$]*", RegexOptions.CultureInvariant);

    private static readonly Regex FormatCall = new(@"\bformat\s*\(", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly Regex References = new(@"REFERENCES\s+(?:(?:""(?:[^""]|"""")+""|[^\s.(""]+)\.)?(""(?:[^""]|"""")+""|[^\s(""]+)\s*\(", RegexOptions.CultureInvariant);

    private static readonly Regex GrantObject = new(@" on (?:materialized view|table|sequence|view|function|procedure|schema) (.+) to ", RegexOptions.CultureInvariant);

    private readonly ConcurrentDictionary<UInt128, (string? SqlState, string? Error)> outcomes = new();
    private readonly ConditionalWeakTable<CatalogObject, Reach> reaches = new();
    private readonly ConditionalWeakTable<CatalogSnapshot, NameIndex> indexes = new();
    private readonly ConditionalWeakTable<CatalogSnapshot, HashSet<CatalogObject>> members = new();

    // By the later catalog, then the earlier one.
    private readonly ConditionalWeakTable<CatalogSnapshot, ConditionalWeakTable<CatalogSnapshot, CatalogChange>> changes = new();

    private readonly ConcurrentDictionary<(string Name, string Args), Call> calls = new();
    private readonly Func<EffectiveMethod, ProbePoint, UInt128?> footprint;

    // The index built last and its catalog: the next one is derived from it.
    private volatile Tuple<CatalogSnapshot, NameIndex>? lastIndex;

    public ProbeSelection() => footprint = Footprint;

    /// <summary>A selection with another footprint: a test seam, to show that an unsound one is caught.</summary>
    internal ProbeSelection(Func<EffectiveMethod, ProbePoint, UInt128?> footprint) => this.footprint = footprint;

    /// <summary>How many times what the calls of <paramref name="method"/> reach was worked out anew rather than kept from an earlier catalog.</summary>
    internal int SearchesOf(string method) => calls.Where(c => c.Key.Name == method).Sum(c => c.Value.Searches);

    /// <summary>
    /// The outcome of calling each of <paramref name="methods"/> on the database of <paramref name="connection"/>,
    /// at <paramref name="atVersion"/>, whose catalog and rows are <paramref name="catalog"/> and <paramref name="data"/>: called where no earlier
    /// call had the same footprint, in the order given.
    /// </summary>
    public async Task<IReadOnlyList<ProbeResult>> CallAsync(
        NpgsqlConnection connection, int atVersion, IReadOnlyList<EffectiveMethod> methods, CatalogSnapshot catalog, DataSnapshot data, CancellationToken ct)
    {
        var point = new ProbePoint(atVersion, catalog, data, await ScopeAsync(connection, ct));
        var keys = methods.Select(m => footprint(m, point)).ToList();
        var pending = methods.Where((_, i) => keys[i] is not { } key || !outcomes.ContainsKey(key)).ToList();
        var called = (await FunctionProbe.CallEachAsync(connection, pending, ct)).ToDictionary(r => r.Method, StringComparer.Ordinal);
        var results = new List<ProbeResult>(methods.Count);
        for (var i = 0; i < methods.Count; i++)
        {
            var method = methods[i];
            if (called.TryGetValue(method.Name, out var result))
            {
                if (keys[i] is { } key)
                {
                    outcomes.TryAdd(key, (result.SqlState, result.Error));
                }

                results.Add(result);
                continue;
            }

            var (sqlState, error) = outcomes[keys[i]!.Value];
            results.Add(new ProbeResult(method.Name, method.Definition.Mode ?? MethodMode.Write, method.Deprecated, sqlState, error));
        }

        return results;
    }

    private static async Task<string?> ScopeAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ScopeSql, connection);
        await command.PrepareAsync(ct);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>The footprint of calling <paramref name="method"/> at <paramref name="point"/>, or null when it cannot be known.</summary>
    private UInt128? Footprint(EffectiveMethod method, ProbePoint point)
    {
        if (point.Scope is null)
        {
            return null;
        }

        var definition = method.Definition;
        var call = calls.GetOrAdd((definition.Name, definition.Args ?? string.Empty), key => new Call(
            Fold(key.Name), Signature(MethodArguments.Parse(key.Args).Select(a => a.Type)), WordsOf(key.Name + " " + key.Args).ToArray()));
        var reached = ReachedAt(call, point.Catalog);

        var bytes = new ArrayBufferWriter<byte>(1024);
        void Add(string text)
        {
            Encoding.UTF8.GetBytes(text, bytes);
            bytes.Write<byte>([0]);
        }

        Add(definition.Name);
        Add(definition.Args ?? string.Empty);
        Add((definition.Mode ?? MethodMode.Write).ToString());
        if (reached.Everything)
        {
            if (point.Everything is not { } state)
            {
                return null;
            }

            Add(state);
        }
        else
        {
            // The fingerprints of the reached objects other than tables are fixed for the reached set: they
            // enter as one digest; the tables follow, each with its rows at this point.
            if (reached.Fixed is not { } fixedStates)
            {
                return null;
            }

            Add(point.Scope);
            bytes.Write(fixedStates);
            foreach (var table in reached.Tables)
            {
                if (!point.AddStateOf(table, bytes))
                {
                    return null;
                }
            }
        }

        return BitConverter.ToUInt128(SHA256.HashData(bytes.WrittenSpan).AsSpan(0, 16));
    }

    /// <summary>
    /// What <paramref name="call"/> reaches in <paramref name="catalog"/>: an earlier result when it still
    /// holds there (<see cref="Reached.HoldsAfter"/>), else worked out anew.
    /// </summary>
    private Reached ReachedAt(Call call, CatalogSnapshot catalog)
    {
        var recent = call.Recent;
        foreach (var earlier in recent)
        {
            if (ReferenceEquals(earlier.Catalog, catalog))
            {
                return earlier;
            }
        }

        // The closest catalog first (the one of the previous point of the same segment, usually): a large
        // change is slow to check and seldom leaves the reach as it was. Equal sizes keep their order.
        var candidates = new (Reached Earlier, CatalogChange Change)[recent.Length];
        for (var i = 0; i < recent.Length; i++)
        {
            var next = (recent[i], ChangeBetween(recent[i].Catalog, catalog));
            var at = i;
            for (; at > 0 && candidates[at - 1].Change.Size > next.Item2.Size; at--)
            {
                candidates[at] = candidates[at - 1];
            }

            candidates[at] = next;
        }

        foreach (var (earlier, change) in candidates)
        {
            if (earlier.HoldsAfter(change, ReachOf))
            {
                return call.Remember(earlier with { Catalog = catalog });
            }
        }

        return call.Remember(Search(call, catalog));
    }

    /// <summary>
    /// The objects <paramref name="call"/>'s text reaches in <paramref name="catalog"/>, object by object (each
    /// object's neighbours: every object a name it uses names), and the names the search looked up.
    /// </summary>
    private Reached Search(Call call, CatalogSnapshot catalog)
    {
        call.Searched();
        var index = indexes.GetValue(catalog, BuildIndex);
        var calledWithProbeArguments = false;
        var reached = new HashSet<CatalogObject>(ReferenceEqualityComparer.Instance);
        var looked = new HashSet<string>(call.Words, StringComparer.Ordinal);
        var queue = new Queue<CatalogObject>();
        foreach (var word in call.Words)
        {
            foreach (var item in index.Named(word))
            {
                if (reached.Add(item))
                {
                    queue.Enqueue(item);
                }
            }
        }

        var everything = false;
        while (!everything && queue.TryDequeue(out var item))
        {
            var reach = ReachOf(item);
            var neighbours = index.Neighbours(item, reach.Names);
            looked.UnionWith(reach.Names);
            var dynamic = reach.Dynamic;
            if (reach.Probed is { } probed && probed.Name == call.Name && probed.Signature == call.Signature)
            {
                // The function the probe calls, with the probe's arguments.
                neighbours = neighbours.Concat(probed.Names.Except(reach.Names).SelectMany(index.Named)).ToArray();
                looked.UnionWith(probed.Names);
                dynamic = false;
                calledWithProbeArguments = true;
            }

            // SQL built at run time can name anything: the whole database is the footprint.
            everything |= dynamic;
            foreach (var next in neighbours)
            {
                if (reached.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }

        // Arguments other than the probe's reach the called function when anything it reaches names it.
        everything |= calledWithProbeArguments && reached.Any(o => ReachOf(o).Names.Contains(call.Name));

        CatalogObject[] ordered = [];
        if (!everything)
        {
            ordered = reached.ToArray();
            Array.Sort(ordered, CatalogObject.Order);
        }

        return new Reached(catalog, ordered, reached, looked, everything, FixedStates(ordered), ordered.Where(o => o.Kind == CatalogObjectKind.Table).ToArray());
    }

    /// <summary>
    /// A digest of the fingerprints of <paramref name="ordered"/> other than tables, in order (what the
    /// call's outcome depends on through them at any point); null when one of them has no known state.
    /// </summary>
    private static byte[]? FixedStates(CatalogObject[] ordered)
    {
        var bytes = new ArrayBufferWriter<byte>(16 * ordered.Length + 1);
        foreach (var item in ordered)
        {
            if (item.Fingerprint is not { } fingerprint || item.Kind == CatalogObjectKind.MaterializedView)
            {
                return null;
            }

            if (item.Kind != CatalogObjectKind.Table)
            {
                fingerprint.TryWriteBytes(bytes.GetSpan(16));
                bytes.Advance(16);
            }
        }

        return SHA256.HashData(bytes.WrittenSpan);
    }

    /// <summary>The objects <paramref name="to"/> holds and <paramref name="from"/> does not, and the other way round (instances compared by reference).</summary>
    private CatalogChange ChangeBetween(CatalogSnapshot from, CatalogSnapshot to)
    {
        // Asked for every call of a point: the lookup allocates nothing once the change is known.
        var byFrom = changes.GetValue(to, static _ => new());
        if (byFrom.TryGetValue(from, out var known))
        {
            return known;
        }

        var before = MembersOf(from);
        var after = MembersOf(to);
        var change = new CatalogChange(to.Objects.Where(o => !before.Contains(o)).ToArray(), from.Objects.Where(o => !after.Contains(o)).ToArray());
        return byFrom.GetValue(from, _ => change);
    }

    private HashSet<CatalogObject> MembersOf(CatalogSnapshot catalog) =>
        members.GetValue(catalog, c => new HashSet<CatalogObject>(c.Objects, ReferenceEqualityComparer.Instance));

    /// <summary>
    /// The index of <paramref name="catalog"/>: derived from the last one built when the two catalogs differ
    /// by a few objects (see <see cref="NameIndex.After"/>), else built from every object.
    /// </summary>
    private NameIndex BuildIndex(CatalogSnapshot catalog)
    {
        var index = lastIndex is { } last && ChangeBetween(last.Item1, catalog) is var change &&
            change.Size <= catalog.Objects.Count / 4
            ? last.Item2.After(change, ReachOf)
            : FullIndex(catalog);
        lastIndex = Tuple.Create(catalog, index);
        return index;
    }

    private NameIndex FullIndex(CatalogSnapshot catalog)
    {
        var index = new Dictionary<string, List<CatalogObject>>(StringComparer.Ordinal);
        foreach (var item in catalog.Objects)
        {
            foreach (var anchor in ReachOf(item).Anchors)
            {
                if (!index.TryGetValue(anchor, out var list))
                {
                    index[anchor] = list = [];
                }

                list.Add(item);
            }
        }

        return new NameIndex(index);
    }

    private Reach ReachOf(CatalogObject item) => reaches.GetValue(item, Describe);

    /// <summary>The names an object answers to (anchors), the names its definition uses, and whether it builds SQL at run time.</summary>
    private static Reach Describe(CatalogObject item)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var name = item.Name;
        var unqualified = name.StartsWith(Schema + ".", StringComparison.Ordinal) ? name[(Schema.Length + 1)..] : name;
        switch (item.Kind)
        {
            case CatalogObjectKind.Column or CatalogObjectKind.Constraint or CatalogObjectKind.Trigger or CatalogObjectKind.Policy:
                // schema.table.object: a table or object name may itself hold a dot, so both splits answer.
                if (unqualified.IndexOf('.', StringComparison.Ordinal) is var first and > 0)
                {
                    anchors.Add(Fold(unqualified[..first]));
                    anchors.Add(Fold(unqualified[..unqualified.LastIndexOf('.')]));
                }

                if (item.Kind == CatalogObjectKind.Constraint && item.Properties.TryGetValue("definition", out var constraint))
                {
                    foreach (Match reference in References.Matches(constraint))
                    {
                        anchors.Add(Fold(Unquote(reference.Groups[1].Value)));
                    }
                }

                break;
            case CatalogObjectKind.Index:
                anchors.Add(Fold(unqualified));
                if (item.Properties.TryGetValue("table", out var table))
                {
                    anchors.Add(Fold(table.StartsWith(Schema + ".", StringComparison.Ordinal) ? table[(Schema.Length + 1)..] : table));
                }

                break;
            case CatalogObjectKind.Function or CatalogObjectKind.Procedure or CatalogObjectKind.Aggregate:
                var paren = unqualified.IndexOf('(', StringComparison.Ordinal);
                anchors.Add(Fold(paren < 0 ? unqualified : unqualified[..paren]));
                break;
            case CatalogObjectKind.Grant:
                if (GrantObject.Match(name) is { Success: true } granted)
                {
                    var target = granted.Groups[1].Value;
                    target = target.StartsWith(Schema + ".", StringComparison.Ordinal) ? target[(Schema.Length + 1)..] : target;
                    var open = target.IndexOf('(', StringComparison.Ordinal);
                    anchors.Add(Fold(open < 0 ? target : target[..open]));
                }

                break;
            default:
                anchors.Add(Fold(unqualified));
                break;
        }

        if (item.Kind is CatalogObjectKind.Grant or CatalogObjectKind.Role or CatalogObjectKind.Schema or CatalogObjectKind.Extension)
        {
            return new Reach(anchors, new HashSet<string>(), Dynamic: false);
        }

        var text = string.Join("\n", item.Properties.Where(p => p.Key is not ("owner" or "comment")).Select(p => p.Value));
        var names = WordsOf(text);
        var dynamic = false;
        Probed? probed = null;
        if (item.Kind is CatalogObjectKind.Function or CatalogObjectKind.Procedure or CatalogObjectKind.Aggregate)
        {
            var language = item.Properties.GetValueOrDefault("language");
            var body = item.Properties.GetValueOrDefault("body") ?? string.Empty;
            var runsText = FormatCall.IsMatch(body) || names.Overlaps(SqlTextFunctions);
            dynamic = item.Kind == CatalogObjectKind.Aggregate || language switch
            {
                "sql" => runsText || names.Contains("execute"),
                "plpgsql" => runsText || (names.Contains("execute") && !ExecutedText.IsBounded(body, Parameters(item, probe: false), out _)),
                // An extension's compiled functions are fixed code over their arguments, except the ones
                // that connect and run SQL.
                "c" or "internal" => item.Origin != ObjectOrigin.Extension || anchors.Any(a => a.StartsWith("dblink", StringComparison.Ordinal)),
                _ => true,
            };

            // Called by the probe, a function's parameters hold the probe's constants: an executed text built
            // from them names what they name as well.
            if (dynamic && !runsText && language == "plpgsql" && item.Kind == CatalogObjectKind.Function &&
                ExecutedText.IsBounded(body, Parameters(item, probe: true), out var used))
            {
                var arguments = MethodArguments.Parse(item.Properties.GetValueOrDefault("arguments"));
                var withValues = new HashSet<string>(names, StringComparer.Ordinal);
                foreach (var argument in arguments.Where(a => a.Name is { } n && used.Contains(n)))
                {
                    withValues.UnionWith(WordsOf(FunctionProbe.LiteralText(argument.Type)!));
                }

                probed = new Probed(anchors.Single(), Signature(arguments.Select(a => a.Type)), withValues);
            }
        }

        return new Reach(anchors, names, dynamic, probed);
    }

    /// <summary>
    /// A function's parameters by name, each with the value it holds when the probe calls the function (with
    /// <paramref name="probe"/>: the text of the probe's constant, for the types whose text is that constant
    /// as written) or null (unknown). An output parameter, one with a default or a variadic one holds no
    /// known value.
    /// </summary>
    private static Dictionary<string, string?> Parameters(CatalogObject function, bool probe)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        var text = function.Properties.GetValueOrDefault("arguments") ?? string.Empty;
        foreach (var piece in MethodArguments.SplitTopLevel(text).Where(p => p.Length > 0))
        {
            var argument = MethodArguments.Parse(piece)[0];
            var plain = !piece.StartsWith("OUT ", StringComparison.Ordinal) && !piece.StartsWith("INOUT ", StringComparison.Ordinal) &&
                !piece.StartsWith("VARIADIC ", StringComparison.Ordinal) && !piece.Contains(" DEFAULT ", StringComparison.Ordinal);
            if (argument.Name is { } name)
            {
                parameters[name] = probe && plain && ConstantTypes.Contains(argument.Type) ? FunctionProbe.LiteralText(argument.Type) : null;
            }
        }

        return parameters;
    }

    private static string Signature(IEnumerable<string> types) => string.Join(",", types.Select(t => t.Trim().ToLowerInvariant()));

    private static HashSet<string> WordsOf(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match word in Words.Matches(text))
        {
            words.Add(Fold(Unquote(word.Value)));
        }

        return words;
    }

    private static string Unquote(string word) =>
        word.Length >= 2 && word[0] == '"' && word[^1] == '"' ? word[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : word;

    // Names are compared without case: an unquoted name folds to lower case, and matching more never loses a call.
    private static string Fold(string name) => name.ToLowerInvariant();

    private sealed record Reach(IReadOnlySet<string> Anchors, IReadOnlySet<string> Names, bool Dynamic, Probed? Probed = null);

    /// <summary>
    /// A probe's call: the folded name it calls, its argument types and the words of its name and arguments,
    /// and what it reached at the last few catalogs it was worked out for (most recent first). Safe to share between threads.
    /// </summary>
    private sealed class Call(string name, string signature, string[] words)
    {
        /// <summary>How many catalogs' results a call keeps: enough for each segment of a run to find the one of its previous point.</summary>
        private const int Kept = 4;

        private readonly Lock gate = new();
        private Reached[] recent = [];
        private int searches;

        public string Name { get; } = name;

        public string Signature { get; } = signature;

        public string[] Words { get; } = words;

        public Reached[] Recent => Volatile.Read(ref recent);

        /// <summary>How many times what the call reaches was worked out rather than taken from an earlier catalog.</summary>
        public int Searches => Volatile.Read(ref searches);

        public void Searched() => Interlocked.Increment(ref searches);

        public Reached Remember(Reached reached)
        {
            lock (gate)
            {
                var kept = new List<Reached>(Kept) { reached };
                foreach (var r in recent)
                {
                    if (kept.Count < Kept && !ReferenceEquals(r.Catalog, reached.Catalog))
                    {
                        kept.Add(r);
                    }
                }

                recent = kept.ToArray();
            }

            return reached;
        }
    }

    /// <summary>
    /// What a call reaches in <paramref name="Catalog"/>: the reached objects (<paramref name="Ordered"/> by
    /// kind then name, empty when <paramref name="Everything"/>), and <paramref name="Looked"/>, every name
    /// the search looked up (the call's words and the names each object it followed uses); for the
    /// footprint, the digest of the reached objects' fingerprints other than tables' (<paramref name="Fixed"/>,
    /// null when one is not known) and the reached <paramref name="Tables"/>, whose rows are read at each point.
    /// </summary>
    private sealed record Reached(
        CatalogSnapshot Catalog, CatalogObject[] Ordered, HashSet<CatalogObject> Objects, HashSet<string> Looked, bool Everything, byte[]? Fixed, CatalogObject[] Tables)
    {
        /// <summary>
        /// Whether the search gives the same result in the catalog <paramref name="change"/> leads to: no
        /// reached object is gone, and no new object answers a name the search looked up.
        /// <para>
        /// Why that is enough: each object's anchors, names and whether it builds SQL are its own (an
        /// instance is one printed text), so an edge between two objects present in both catalogs is in
        /// both. Every reached object is still there, so every path the search took is still there: what
        /// it reached is reached again, and a dynamic object it met (whole database) is met again. When
        /// it ran to the end, what it reached is closed over the names it looked up: an object of the new
        /// catalog reached from it answers a looked-up name, so it is either an old object (then already
        /// reached) or a new one, which the second rule excludes. The reached set is then the same, and
        /// so is the last rule (the called function named by what it reaches) and the order by kind and
        /// name, which is unique in a catalog.
        /// </para>
        /// </summary>
        public bool HoldsAfter(CatalogChange change, Func<CatalogObject, Reach> reachOf)
        {
            foreach (var gone in change.Removed)
            {
                if (Objects.Contains(gone))
                {
                    return false;
                }
            }

            // Whether a name the new objects answer to was looked up: the smaller set is walked.
            var anchors = change.AnchorsAdded(reachOf);
            var (small, large) = anchors.Count <= Looked.Count ? (anchors, Looked) : (Looked, anchors);
            foreach (var name in small)
            {
                if (large.Contains(name))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The objects a later catalog holds that an earlier one does not (<paramref name="Added"/>), and the other way round.</summary>
    private sealed record CatalogChange(CatalogObject[] Added, CatalogObject[] Removed)
    {
        private HashSet<string>? anchorsAdded;

        public int Size => Added.Length + Removed.Length;

        /// <summary>Every name the added objects answer to (worked out once per change: every call of a point asks).</summary>
        public HashSet<string> AnchorsAdded(Func<CatalogObject, Reach> reachOf) =>
            LazyInitializer.EnsureInitialized(ref anchorsAdded, () => new HashSet<string>(Added.SelectMany(a => reachOf(a).Anchors), StringComparer.Ordinal));
    }

    /// <summary>
    /// The objects of one catalog by the names they answer to, and each object's neighbours there: the objects
    /// the names it uses answer to (worked out once per catalog). Safe to share between threads.
    /// </summary>
    private sealed class NameIndex(Dictionary<string, List<CatalogObject>> byName)
    {
        private readonly ConcurrentDictionary<CatalogObject, CatalogObject[]> neighbours = new(ReferenceEqualityComparer.Instance);

        public IReadOnlyList<CatalogObject> Named(string name) => byName.TryGetValue(name, out var objects) ? objects : [];

        /// <summary>
        /// The index of the catalog <paramref name="change"/> leads to. Only the names the added and removed
        /// objects answer to change what they name, so only their lists are rebuilt (the others are shared:
        /// no list is changed once built), and an object's neighbours carry over when none of the names it
        /// uses is among them.
        /// </summary>
        public NameIndex After(CatalogChange change, Func<CatalogObject, Reach> reachOf)
        {
            var changed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in change.Added.Concat(change.Removed))
            {
                changed.UnionWith(reachOf(item).Anchors);
            }

            var removed = new HashSet<CatalogObject>(change.Removed, ReferenceEqualityComparer.Instance);
            var next = new Dictionary<string, List<CatalogObject>>(byName, StringComparer.Ordinal);
            foreach (var name in changed)
            {
                next[name] = byName.TryGetValue(name, out var objects) ? objects.Where(o => !removed.Contains(o)).ToList() : [];
            }

            foreach (var item in change.Added)
            {
                foreach (var anchor in reachOf(item).Anchors)
                {
                    next[anchor].Add(item);
                }
            }

            var index = new NameIndex(next);
            foreach (var (item, list) in neighbours)
            {
                if (!removed.Contains(item) && !reachOf(item).Names.Overlaps(changed))
                {
                    index.neighbours.TryAdd(item, list);
                }
            }

            return index;
        }

        public CatalogObject[] Neighbours(CatalogObject item, IReadOnlySet<string> names) =>
            neighbours.GetOrAdd(item, _ => names.SelectMany(Named).Distinct(ReferenceEqualityComparer.Instance).Cast<CatalogObject>().ToArray());
    }

    /// <summary>What a function reaches when the probe calls it: by <paramref name="Name"/> with arguments of the types of <paramref name="Signature"/>.</summary>
    private sealed record Probed(string Name, string Signature, IReadOnlySet<string> Names);
}

/// <summary>
/// The state of the database at one probe point: its version, catalog and rows, and the hash of what the
/// snapshots leave out (null: the database holds what the model cannot follow).
/// </summary>
internal sealed record ProbePoint(int Version, CatalogSnapshot Catalog, DataSnapshot Data, string? Scope)
{
    private string? everything;

    /// <summary>What a call depends on through <paramref name="item"/>: its fingerprint and, for a table, its rows; null when not known.</summary>
    public string? StateOf(CatalogObject item)
    {
        if (item.Fingerprint is not { } fingerprint || item.Kind == CatalogObjectKind.MaterializedView)
        {
            return null;
        }

        if (item.Kind != CatalogObjectKind.Table)
        {
            return fingerprint.ToString("N");
        }

        return RowsOf(item) is { } rows ? fingerprint.ToString("N") + rows : null;
    }

    /// <summary><see cref="StateOf"/> written to <paramref name="bytes"/> (16 bytes of fingerprint, then for a table its rows and a 0); false when not known.</summary>
    public bool AddStateOf(CatalogObject item, IBufferWriter<byte> bytes)
    {
        if (item.Fingerprint is not { } fingerprint || item.Kind == CatalogObjectKind.MaterializedView)
        {
            return false;
        }

        string? rows = null;
        if (item.Kind == CatalogObjectKind.Table && (rows = RowsOf(item)) is null)
        {
            return false;
        }

        fingerprint.TryWriteBytes(bytes.GetSpan(16));
        bytes.Advance(16);
        if (rows is not null)
        {
            Encoding.UTF8.GetBytes(rows, bytes);
            bytes.Write<byte>([0]);
        }

        return true;
    }

    // The snapshots leave out the migrator's table, which holds the version.
    private string? RowsOf(CatalogObject table) =>
        Data.Find(table.Name) is { } rows ? rows.Digest
            : table.Name == "public.tcversion" ? Version.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>A hash of the whole database's state (every object, every table's rows), or null when not known.</summary>
    public string? Everything
    {
        get
        {
            if (everything is not null || Scope is null)
            {
                return everything;
            }

            var states = new StringBuilder(Scope);
            foreach (var item in Catalog.Objects)
            {
                if (StateOf(item) is not { } state)
                {
                    return null;
                }

                states.Append(';').Append(state);
            }

            return everything = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(states.ToString())));
        }
    }
}
