using System.Text;

namespace Tcdb.Authoring;

/// <summary>The files <see cref="VersionScaffold.Create"/> wrote.</summary>
public sealed record ScaffoldResult(int Version, string VersionFile, string TestFile);

/// <summary>
/// Creates the next version: <c>versions/NNNN.yml</c> with every key and a commented example method (it loads as it
/// is: <c>methods: {}</c>), and the matching <c>VNNNNTest</c> class on the version-test fixture, whose checks fail with
/// "fill me in" until the author writes them, so an untested version cannot pass by accident.
/// </summary>
public static class VersionScaffold
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes both files for version latest+1; creates neither when either exists.</summary>
    /// <param name="dbDirectory">The db directory; versions/ is created when missing.</param>
    /// <param name="testsDirectory">Where version tests live; created when missing.</param>
    public static ScaffoldResult Create(string dbDirectory, string testsDirectory)
    {
        if (!Directory.Exists(dbDirectory))
        {
            throw new AuthoringException($"{dbDirectory}: db directory not found; expected a directory holding versions/, access.yml and tables.yml");
        }

        var versionsDirectory = Path.Join(dbDirectory, "versions");
        var existing = VersionFiles.Find(versionsDirectory);
        var version = existing.Count == 0 ? 1 : existing.Keys.Max() + 1;
        var versionFile = Path.Join(versionsDirectory, VersionFiles.VersionFileName(version));
        var testFile = Path.Join(testsDirectory, VersionFiles.TestFileName(version));
        foreach (var path in new[] { versionFile, testFile })
        {
            if (File.Exists(path))
            {
                throw new AuthoringException($"{path} already exists; nothing was created");
            }
        }

        Directory.CreateDirectory(versionsDirectory);
        Directory.CreateDirectory(testsDirectory);
        File.WriteAllText(versionFile, VersionYaml(version), Utf8);
        try
        {
            using var test = new FileStream(testFile, FileMode.CreateNew, FileAccess.Write);
            test.Write(Utf8.GetBytes(TestClass(version)));
        }
        catch
        {
            File.Delete(versionFile);
            throw;
        }

        return new ScaffoldResult(version, versionFile, testFile);
    }

    /// <summary>The text of a new version file.</summary>
    public static string VersionYaml(int version) => $$"""
        version: {{version}}
        description: TODO say in one line what version {{version}} changes
        # migrationScript runs when upgrading to version {{version}}, downgradeScript when downgrading back to {{version - 1}}:
        # PL/pgSQL blocks (begin ... end), or the name of a .sql file next to this one (e.g. {{VersionFiles.Padded(version)}}-migration.sql).
        # Give both or neither. $db_user_prefix$ becomes the deployment's role prefix: grant to $db_user_prefix$_<service>.
        # Update tables.yml and access.yml to describe the tables after this version.
        migrationScript: |-
          begin
            -- e.g. alter table widgets add column color text;
          end
        downgradeScript: |-
          begin
            -- undo the migration exactly, e.g. alter table widgets drop column color;
          end
        # Stored functions this version defines or redefines. A method's mode, serviceName, args and returns never
        # change once it exists: to change them, add a new method (get_widget_2) and deprecate the old one.
        # To add methods, replace {} with entries like the example below.
        methods: {}
        #  get_widget:
        #    description: |-
        #      Get one widget by name.
        #    mode: read
        #    serviceName: widgets
        #    args: name_in text
        #    returns: table (name text, color text)
        #    body: |-
        #      begin
        #        return query
        #        select widgets.name, widgets.color from widgets where widgets.name = name_in;
        #      end
        #  get_widget_old:
        #    deprecated: true

        """;

    /// <summary>The text of a new version test, in namespace <c>Tcdb.Versions.Tests</c>.</summary>
    public static string TestClass(int version)
    {
        var name = VersionFiles.TestClassName(version);
        var file = VersionFiles.TestFileName(version);
        var yml = VersionFiles.VersionFileName(version);
        var previous = version - 1;
        return $$"""
            using NUnit.Framework;
            using Tcdb.Testing;
            using Tcdb.Verification;

            namespace Tcdb.Versions.Tests;

            /// <summary>
            /// Version {{version}} (db/versions/{{yml}}). The fixture clones a database at version {{previous}}, seeds it, upgrades to
            /// {{version}}, downgrades to {{previous}} and upgrades again, checking that no row is lost and nothing stray is left.
            /// Write the checks only the author of this version knows: what its migration must do to existing rows.
            /// The class name gives the version under test: keep it {{name}}.
            /// </summary>
            public sealed class {{name}} : VersionTest
            {
                /// <summary>Rows at version {{previous}} that the migration must carry, beside the generated seed.</summary>
                protected override Task SeedAsync(VersionContext db) =>
                    Task.CompletedTask; // e.g. db.ExecuteAsync("insert into widgets (name, created) values ('w1', now())")

                /// <summary>The state at version {{previous}}: after seeding, and again after the downgrade from {{version}}.</summary>
                protected override Task AssertBeforeUpgradeAsync(VersionContext db)
                {
                    Assert.Fail("fill me in: {{file}}, AssertBeforeUpgradeAsync: check the state at version {{previous}} (after seeding, and again after downgrading from {{version}}), e.g. the seeded rows in their version {{previous}} form");
                    return Task.CompletedTask;
                }

                /// <summary>The state at version {{version}}: after the upgrade, and again after the re-upgrade.</summary>
                protected override Task AssertAfterUpgradeAsync(VersionContext db)
                {
                    Assert.Fail("fill me in: {{file}}, AssertAfterUpgradeAsync: check what the migration to version {{version}} did, e.g. the new columns of the seeded rows (await db.ScalarAsync<long>(\"select count(*) from ...\"))");
                    return Task.CompletedTask;
                }

                // When the downgrade legitimately regenerates a column, name it as "table.column":
                // protected override IReadOnlyCollection<string> RegeneratedColumns => ["widgets.etag"];
            }

            """;
    }
}
