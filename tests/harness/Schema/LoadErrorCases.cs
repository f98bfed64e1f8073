namespace Tcdb.Harness.Tests.Schema;

/// <summary>
/// One broken directory per load error: the file (relative to the directory) and line the first error must name,
/// and words the message must contain. Shared by the loader tests and the <c>tcdb check</c> tests.
/// </summary>
public static class LoadErrorCases
{
    public sealed record LoadError(string Directory, string File, int Line, int Column, string Fragment)
    {
        public override string ToString() => Directory;
    }

    public static IEnumerable<LoadError> All() =>
    [
        new("yaml-syntax", "versions/0001.yml", 2, 14, "invalid YAML"),
        new("yaml-unclosed-flow", "versions/0001.yml", 2, 14, "invalid YAML: the [ opened here is never closed"),
        new("yaml-tab-indent", "versions/0001.yml", 8, 1, "invalid YAML: a tab character indents this line; YAML indents with spaces only"),
        new("duplicate-method-name", "versions/0001.yml", 14, 3, "duplicate key 'get_thing': it is already defined at line 4"),
        new("duplicate-keys-every-level", "versions/0001.yml", 3, 1, "duplicate key 'description'"),
        new("version-quoted", "versions/0001.yml", 1, 10, "version is the string \"1\"; expected a number without quotes, version: 1"),
        new("version-zero", "versions/0001.yml", 1, 10, "version is 0; expected a positive number, version: 1"),
        new("version-missing", "versions/0001.yml", 1, 1, "0001.yml: missing version; expected version: 1"),
        new("version-mismatch", "versions/0001.yml", 1, 10, "version 2 does not match the file name; expected version: 1, or rename the file to 0002.yml"),
        new("yaml-extension", "versions/0002.yaml", 1, 1, ".yaml is never read as a version; rename it to 0002.yml"),
        new("not-a-version-name", "versions/second.yml", 1, 1, "the file name does not name a version; expected NNNN.yml"),
        new("duplicate-version", "versions/001.yml", 1, 1, "duplicate version number 1: 0001.yml already defines version 1"),
        new("missing-version", "versions", 0, 0, "version 2 is missing; expected versions/0002.yml"),
        new("methods-missing", "versions/0002.yml", 3, 1, "version 2: methods has no value"),
        new("methods-not-mapping", "versions/0002.yml", 4, 3, "version 2: methods is a list; expected a mapping of method names"),
        new("one-script", "versions/0002.yml", 3, 1, "version 2: migrationScript is given without downgradeScript; expected both"),
        new("unknown-version-key", "versions/0002.yml", 3, 1, "version 2: unknown key 'migrationScrpt'; expected only version, description, migrationScript, downgradeScript and methods"),
        new("unknown-method-key", "versions/0002.yml", 10, 5, "version 2, method get_thing: unknown key 'retruns'"),
        new("method-capitals", "versions/0002.yml", 4, 3, "version 2, method getThing: the name has capital letters"),
        new("method-missing-fields", "versions/0002.yml", 8, 5, "version 2, method list_things: empty args; expected the argument list"),
        new("bad-mode", "versions/0002.yml", 6, 11, "version 2, method get_thing: mode must be read or write, found the string \"readonly\""),
        new("deprecated-not-boolean", "versions/0002.yml", 5, 17, "version 2, method get_thing: deprecated must be true or false"),
        new("changed-args", "versions/0002.yml", 4, 3, "version 2, method get_thing: args changed from 'id_in text' (version 1) to 'id_in integer' (PostgreSQL would create a second overloaded function)"),
        new("changed-returns", "versions/0002.yml", 4, 3, "version 2, method get_thing: returns changed from 'table (id text)' (version 1)"),
        new("changed-mode", "versions/0002.yml", 4, 3, "version 2, method get_thing: mode changed from 'read' (version 1) to 'write'"),
        new("changed-service-name", "versions/0002.yml", 4, 3, "version 2, method get_thing: serviceName changed from 'svc' (version 1) to 'other'"),
        new("stub-before-definition", "versions/0003.yml", 4, 3, "version 3, method list_things: defines a method that version 2 deprecated before any version defined it"),
        new("script-is-directory", "versions/0002.yml", 3, 18, "version 2: migrationScript names 'scripts', which is a directory"),
        new("access-not-mapping", "access.yml", 1, 1, "access.yml: expected a mapping of service names"),
        new("access-extra-key", "access.yml", 4, 3, "access.yml: service svc: unknown key 'users'; expected only tables"),
        new("access-bad-mode", "access.yml", 3, 13, "access.yml: service svc: table things has access the string \"readwrite\"; expected read or write"),
        new("access-missing", "access.yml", 0, 0, "access.yml not found"),
        new("tables-null-table", "tables.yml", 3, 7, "tables.yml: table empty must be a mapping of column names to types, found an empty value"),
        new("tables-type-not-text", "tables.yml", 3, 10, "tables.yml: the type of things.count is the number 42"),
        new("tables-missing", "tables.yml", 0, 0, "tables.yml not found"),
        new("access-table-not-in-tables", "access.yml", 4, 5, "access.yml: service svc: table widgets is not in tables.yml; add it there or remove the grant"),
        new("table-without-access", "tables.yml", 3, 1, "tables.yml: table widgets: no service of access.yml has access to it; grant it to the service that owns it"),
    ];
}
