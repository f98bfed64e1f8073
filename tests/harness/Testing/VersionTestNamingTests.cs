using System.Reflection;
using System.Reflection.Emit;
using Tcdb.Testing;

namespace Tcdb.Harness.Tests.Testing;

/// <summary>
/// A version test's number comes from its class name (<c>V0007Test</c>: version 7); a class named otherwise passes
/// it; a class whose name and number disagree cannot be constructed. The classes are made at run time so that no
/// sample becomes a fixture of this assembly.
/// </summary>
[TestFixture]
public sealed class VersionTestNamingTests
{
    [TestCase("V0007Test", 7)]
    [TestCase("V0120Test", 120)]
    [TestCase("V12345Test", 12345)]
    public void A_class_named_VNNNNTest_tests_that_version(string name, int version)
    {
        Assert.That(VersionOf(Derive(name, number: null)), Is.EqualTo(version));
        Assert.That(VersionTest.NumberInName(Derive(name, number: null)), Is.EqualTo(version));
    }

    [TestCase("V7Test")]
    [TestCase("V0000Test")]
    [TestCase("V0007Tests")]
    [TestCase("v0007Test")]
    [TestCase("SecretsMoveTest")]
    public void A_class_named_otherwise_that_passes_no_number_is_refused_naming_the_rule(string name)
    {
        var type = Derive(name, number: null);

        var error = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(type));

        Assert.That(VersionTest.NumberInName(type), Is.Null);
        Assert.That(error!.InnerException, Is.TypeOf<InvalidOperationException>());
        Assert.That(error.InnerException!.Message, Is.EqualTo($"Samples.{name}: a version test takes its version from its class name, V<four digits>Test (e.g. V0007Test for version 7); rename the class, or pass the version to the base constructor (: VersionTest(7))"));
    }

    [Test]
    public void A_class_named_otherwise_passes_its_number()
    {
        Assert.That(VersionOf(Derive("SecretsMoveTest", number: 6)), Is.EqualTo(6));
    }

    [Test]
    public void A_class_named_VNNNNTest_may_pass_the_same_number()
    {
        Assert.That(VersionOf(Derive("V0006Test", number: 6)), Is.EqualTo(6));
    }

    [Test]
    public void A_class_named_VNNNNTest_that_passes_another_number_is_refused()
    {
        var error = Assert.Throws<TargetInvocationException>(() => Activator.CreateInstance(Derive("V0006Test", number: 7)));

        Assert.That(error!.InnerException, Is.TypeOf<ArgumentException>());
        Assert.That(error.InnerException!.Message, Does.StartWith("Samples.V0006Test is passed version 7, but its name says version 6; rename the class or drop the number"));
    }

    /// <summary>A public sealed subclass of <see cref="VersionTest"/> named <c>Samples.<paramref name="name"/></c> whose constructor passes <paramref name="number"/> (or nothing).</summary>
    private static Type Derive(string name, int? number)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("VersionTestNames" + Guid.NewGuid().ToString("N")), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("Names").DefineType("Samples." + name, TypeAttributes.Public | TypeAttributes.Sealed, typeof(VersionTest));
        var il = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, Type.EmptyTypes).GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        if (number is { } version)
        {
            il.Emit(OpCodes.Ldc_I4, version);
            il.Emit(OpCodes.Call, BaseConstructor(typeof(int)));
        }
        else
        {
            il.Emit(OpCodes.Call, BaseConstructor());
        }

        il.Emit(OpCodes.Ret);
        return type.CreateType();
    }

    private static ConstructorInfo BaseConstructor(params Type[] parameters) =>
        typeof(VersionTest).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, parameters)!;

    private static int VersionOf(Type type) =>
        (int)typeof(VersionTest).GetProperty("Version", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(Activator.CreateInstance(type))!;
}
