namespace Tcdb.Schema.Documents;

/// <summary>
/// The cross-version rule: mode, serviceName, args and returns of a method never change after its first
/// entry, compared exactly (whitespace counts) and only for the attributes a later entry states (stubs state none).
/// Changing args would make PostgreSQL create an overload; changing returns fails outright.
/// </summary>
internal static class MethodHistoryRules
{
    public static void Check(IEnumerable<DbVersion> versionsInOrder, ErrorList errors)
    {
        var first = new Dictionary<string, (DbMethod Method, int Version)>(StringComparer.Ordinal);
        foreach (var version in versionsInOrder)
        {
            foreach (var method in version.Methods)
            {
                if (!first.TryGetValue(method.Name, out var original))
                {
                    first[method.Name] = (method, version.Number);
                    continue;
                }

                var owner = $"version {version.Number}, method {method.Name}";
                var at = method.Location ?? version.Location ?? default;
                if (original.Method.IsStub && method.IsDefinition)
                {
                    errors.Add(at, $"{owner}: defines a method that version {original.Version} deprecated before any version defined it; expected a stub only for a method that already exists");
                    continue;
                }

                Compare("mode", original.Method.Mode?.ToString().ToLowerInvariant(), method.Mode?.ToString().ToLowerInvariant());
                Compare("serviceName", original.Method.ServiceName, method.ServiceName);
                Compare("args", original.Method.Args, method.Args);
                Compare("returns", original.Method.Returns, method.Returns);

                void Compare(string attribute, string? was, string? now)
                {
                    if (now is not null && now != was)
                    {
                        var consequence = attribute switch
                        {
                            "args" => " (PostgreSQL would create a second overloaded function)",
                            "returns" => " (PostgreSQL cannot change the return type of an existing function)",
                            _ => string.Empty,
                        };
                        errors.Add(at, $"{owner}: {attribute} changed from {Shown(was)} (version {original.Version}) to {Shown(now)}{consequence}; expected it unchanged for the life of the method: add a new method (e.g. {method.Name}_2) instead");
                    }
                }
            }
        }
    }

    private static string Shown(string? text) => text is null ? "nothing" : $"'{text.Replace("\n", "\\n")}'";
}
