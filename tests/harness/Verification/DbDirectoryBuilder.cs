namespace Tcdb.Harness.Tests.Verification;

/// <summary>Writes a small db directory into a temporary folder: a base version 1 plus the versions a test adds.</summary>
internal sealed class DbDirectoryBuilder : IDisposable
{
    /// <summary>Version 1: a table with a key, an index, a default, and two methods, granted to service svc.</summary>
    public const string BaseVersion = """
        version: 1
        description: things
        migrationScript: |-
          begin
            create table things (id integer primary key, name text not null, size integer not null default 0);
            create index things_name_idx on things (name);
            grant select, insert, update, delete on things to $db_user_prefix$_svc;
          end
        downgradeScript: |-
          begin
            revoke select, insert, update, delete on things from $db_user_prefix$_svc;
            drop table things;
          end
        methods:
          get_thing:
            description: a thing by id
            mode: read
            serviceName: svc
            args: id_in integer
            returns: table (id integer, name text)
            body: |-
              begin
                return query select things.id, things.name from things where things.id = id_in;
              end
          add_thing:
            description: add a thing
            mode: write
            serviceName: svc
            args: id_in integer, name_in text
            returns: void
            body: |-
              begin
                insert into things (id, name) values (id_in, name_in);
              end
        """;

    public const string BaseAccess = """
        svc:
          tables:
            things: write
        """;

    public const string BaseTables = """
        things:
          id: integer not null
          name: text not null
          size: integer not null
        """;

    public DbDirectoryBuilder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tcdb-verify-" + Guid.NewGuid().ToString("N")[..10], "db");
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "versions"));
        Version(1, BaseVersion);
        Access(BaseAccess);
        Tables(BaseTables);
    }

    public string Path { get; }

    public DbDirectoryBuilder Version(int number, string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "versions", $"{number:D4}.yml"), yaml.ReplaceLineEndings("\n") + "\n");
        return this;
    }

    public DbDirectoryBuilder Access(string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "access.yml"), yaml + "\n");
        return this;
    }

    public DbDirectoryBuilder Tables(string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "tables.yml"), yaml + "\n");
        return this;
    }

    /// <summary>A version 2 with the given scripts (indented as block scalars) and no methods.</summary>
    public DbDirectoryBuilder ScriptVersion(int number, string migration, string downgrade, string methods = "methods: {}") =>
        Version(number, $"""
            version: {number}
            description: version {number}
            migrationScript: |-
            {Indent(migration)}
            downgradeScript: |-
            {Indent(downgrade)}
            {methods}
            """);

    public void Dispose()
    {
        try
        {
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Indent(string text) =>
        string.Join("\n", text.Trim('\n').Split('\n').Select(line => "  " + line));
}
