using Tcdb.Schema;
using Tcdb.Servers;

namespace Tcdb.Migration;

/// <summary>How the migrator treats the passwords of the service roles it creates.</summary>
public enum ServicePasswords
{
    /// <summary>
    /// Each service role's password is <see cref="ServicePassword.Derive"/> of the admin password and the
    /// service name (set at creation and kept in sync on every run). Without an admin password, none is set.
    /// </summary>
    DerivedFromAdminPassword,

    /// <summary>Passwords are left alone: the deployment manages them (or uses another authentication).</summary>
    Unmanaged,
}

/// <summary>Settings of a <see cref="Migrator"/>.</summary>
public sealed record MigratorOptions
{
    /// <summary>
    /// Options for the databases a run creates for itself (verify, cost, tests): service passwords derived from the
    /// admin's when it has one, any major accepted, and every role created marked with the run's
    /// <see cref="RunMark"/> so that a later run drops it once this one is gone.
    /// </summary>
    public static MigratorOptions ForRun(RolePrefix prefix, OnlineMigrationHooks? online = null) => new()
    {
        RolePrefix = prefix,
        ServicePasswords = ServicePasswords.DerivedFromAdminPassword,
        AcceptedMajorVersions = ServerVersionGate.Any,
        OnlineHooks = online,
        CreatedRoleComment = RunMark.Current.Comment,
    };

    /// <summary>The role prefix: the service role of each service is <see cref="RolePrefix.RoleFor"/> it.</summary>
    public required RolePrefix RolePrefix { get; init; }

    public ServicePasswords ServicePasswords { get; init; } = ServicePasswords.DerivedFromAdminPassword;

    /// <summary>PostgreSQL majors the pre-flight accepts. Default: 11 and 15 or newer.</summary>
    public ServerVersionGate AcceptedMajorVersions { get; init; } = ServerVersionGate.Default;

    /// <summary>Receives every progress event (versions, scripts, online batches, checks), synchronously.</summary>
    public Action<MigrationProgress>? Progress { get; init; }

    /// <summary>The time one online batch should take; the batch size adapts toward it.</summary>
    public TimeSpan OnlineBatchTarget { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the adaptive online batch size.</summary>
    public int MaxOnlineBatchSize { get; init; } = 1_000_000;

    /// <summary>
    /// How many consecutive passes of an online migration may leave every table unchanged while its
    /// completion function stays false before the migrator gives up with
    /// <see cref="MigrationFailure.OnlineNeverCompletes"/>. More than one, because services may still be
    /// writing rows the step has to handle.
    /// </summary>
    public int UnchangedPassLimit { get; init; } = 3;

    /// <summary>Hooks for tests of online migrations; null in production.</summary>
    public OnlineMigrationHooks? OnlineHooks { get; init; }

    /// <summary>
    /// The comment every service role this migrator creates gets (tcdb's own throwaway databases mark roles with
    /// the run that made them); null in production: roles are left without a comment.
    /// </summary>
    public string? CreatedRoleComment { get; init; }

    /// <summary>
    /// lock_timeout of each version's transaction: a lock another session holds (a pg_dump, a slow query) that is
    /// not released in time fails the version, which is rolled back, instead of queueing every later query
    /// behind the waiting upgrade. Null: wait as long as the server's setting says.
    /// </summary>
    public TimeSpan? LockTimeout { get; init; }

    /// <summary>statement_timeout of each statement of a version's transaction (scripts, method definitions). Null: the server's setting.</summary>
    public TimeSpan? StatementTimeout { get; init; }
}

/// <summary>Which PostgreSQL majors an upgrade or downgrade may run against.</summary>
public sealed record ServerVersionGate(IReadOnlyList<int> Majors, int? AndNewerFrom)
{
    /// <summary>11 (still deployed) and 15 or newer (Taskcluster's target).</summary>
    public static ServerVersionGate Default { get; } = new([11], 15);

    /// <summary>Every major.</summary>
    public static ServerVersionGate Any { get; } = new([], 0);

    public bool Accepts(int major) => Majors.Contains(major) || major >= AndNewerFrom;

    public override string ToString() =>
        string.Join(", ", Majors.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Concat(AndNewerFrom is { } from ? [$"{from} or newer"] : []));
}
