using Npgsql;

// Types the architecture tests read as their negative cases: each uses Npgsql in one place only, so a reader that
// missed that place would miss the use; the look-alike only names Npgsql in text. Two namespaces form a cycle.
// None of them is ever called.
namespace Tcdb.Harness.Tests.Architecture.Samples
{
    /// <summary>Uses an internal type of the private namespace inside this one, which uses this one back: no cycle.</summary>
    public static class UsesItsPrivatePart
    {
        public static int Value() => Internals.Helper.Value() + 1;

        public static int Zero() => 0;
    }

    /// <summary>Npgsql only as the operand of a call in a method body (no local, no signature).</summary>
    public static class UsesNpgsqlInACall
    {
        public static void Clear() => NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Npgsql only as the operand of a type test in a method body.</summary>
    public static class UsesNpgsqlInATypeTest
    {
        public static bool IsDriverError(Exception error) => error is NpgsqlException;
    }

    /// <summary>Npgsql only in a catch clause.</summary>
    public static class UsesNpgsqlInACatch
    {
        public static bool Fails(Action action)
        {
            try
            {
                action();
                return false;
            }
            catch (PostgresException)
            {
                return true;
            }
        }
    }

    /// <summary>Npgsql only inside a lambda (a compiler-generated nested type of this one).</summary>
    public static class UsesNpgsqlInALambda
    {
        public static Func<object> Make() => () => new NpgsqlParameter();
    }

    /// <summary>Npgsql only as a generic argument of a private field.</summary>
    public sealed class UsesNpgsqlInAField
    {
        private readonly List<NpgsqlParameter> parameters = [];

        public int Count => parameters.Count;
    }

    /// <summary>Names Npgsql only in text, and has a look-alike name.</summary>
    public static class NpgsqlLookAlike
    {
        public const string Name = "Npgsql.NpgsqlConnection";

        public static string Describe() => typeof(NpgsqlLookAlike).Name + " " + Name;
    }
}

namespace Tcdb.Harness.Tests.Architecture.Samples.Internals
{
    /// <summary>Internal, like every type of its namespace.</summary>
    internal static class Helper
    {
        public static int Value() => UsesItsPrivatePart.Zero();
    }
}

namespace Tcdb.Harness.Tests.Architecture.Samples.CycleA
{
    /// <summary>Uses a type of <c>CycleB</c> in a method body; <c>CycleB</c> uses this one back.</summary>
    public sealed class First
    {
        public static int Value() => CycleB.Second.Two();
    }
}

namespace Tcdb.Harness.Tests.Architecture.Samples.CycleB
{
    /// <summary>Uses a type of <c>CycleA</c> in a signature only.</summary>
    public sealed class Second
    {
        public static int Two() => 2;

        public static bool Is(CycleA.First? first) => first is null;
    }
}
