using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Tcdb.Harness.Tests.Architecture;

/// <summary>A type as metadata names it: the assembly defining it, its namespace and its name (a nested type is named by its outermost type).</summary>
public readonly record struct TypeKey(string Assembly, string Namespace, string Name)
{
    public string FullName => Namespace.Length == 0 ? Name : $"{Namespace}.{Name}";

    public override string ToString() => $"{FullName} [{Assembly}]";
}

/// <summary>
/// One use of a type by a type of the assembly read: <paramref name="From"/> (a nested or compiler-generated type
/// counts as its outermost type) uses <paramref name="To"/> in <paramref name="Where"/> (a member's signature, a
/// field, a method body's instructions or locals, a base type, an attribute).
/// </summary>
public readonly record struct TypeUse(TypeKey From, string Where, TypeKey To)
{
    public override string ToString() => $"{From.FullName} uses {To} in {Where}";
}

/// <summary>A top-level type an assembly defines, and whether other assemblies can see it.</summary>
public readonly record struct DefinedType(TypeKey Key, bool IsPublic);

/// <summary>
/// The assemblies an assembly references and every type its types use, read from its metadata without loading it:
/// base types, interfaces, generic constraints, attributes, signatures of fields, methods, properties and events,
/// and in method bodies the locals, the caught exception types and every type, method and field an instruction
/// names (with the types of the signature of a method or field called).
/// </summary>
public sealed class AssemblyTypeUses
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private AssemblyTypeUses(string name, IReadOnlyList<string> referencedAssemblies, IReadOnlyList<TypeUse> uses, IReadOnlyList<DefinedType> types)
    {
        Name = name;
        ReferencedAssemblies = referencedAssemblies;
        Uses = uses;
        Types = types;
    }

    /// <summary>The assembly's simple name.</summary>
    public string Name { get; }

    /// <summary>Simple names of the assemblies its metadata references.</summary>
    public IReadOnlyList<string> ReferencedAssemblies { get; }

    /// <summary>Every type use, one per type, place and used type.</summary>
    public IReadOnlyList<TypeUse> Uses { get; }

    /// <summary>The top-level types the assembly defines.</summary>
    public IReadOnlyList<DefinedType> Types { get; }

    /// <summary>Reads the assembly file at <paramref name="path"/>.</summary>
    public static AssemblyTypeUses Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var walker = new Walker(pe, reader);
        walker.Run();
        return new AssemblyTypeUses(
            walker.AssemblyName,
            [.. reader.AssemblyReferences.Select(h => reader.GetString(reader.GetAssemblyReference(h).Name)).Order(StringComparer.Ordinal)],
            [.. walker.Uses],
            [.. walker.TopLevelTypes]);
    }

    /// <summary>Reads the file of a loaded assembly.</summary>
    public static AssemblyTypeUses Read(Assembly assembly) => Read(assembly.Location);

    private sealed class Walker(PEReader pe, MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<TypeKey>, object?>
    {
        private readonly HashSet<TypeUse> seen = [];

        public string AssemblyName { get; } = reader.GetString(reader.GetAssemblyDefinition().Name);

        public List<TypeUse> Uses { get; } = [];

        public List<DefinedType> TopLevelTypes { get; } = [];

        public void Run()
        {
            foreach (var handle in reader.TypeDefinitions)
            {
                var type = reader.GetTypeDefinition(handle);
                var from = Key(handle);
                if (from.Name == "<Module>")
                {
                    continue;
                }

                if (type.GetDeclaringType().IsNil)
                {
                    TopLevelTypes.Add(new DefinedType(from, (type.Attributes & TypeAttributes.VisibilityMask) == TypeAttributes.Public));
                }

                // Nested and compiler-generated types (closures, state machines) are walked too, as part of their outermost type.
                Type(from, type);
            }
        }

        private void Type(TypeKey from, TypeDefinition type)
        {
            var name = reader.GetString(type.Name);
            if (!type.BaseType.IsNil)
            {
                Add(from, $"the base type of {name}", Entity(type.BaseType));
            }

            foreach (var implementation in type.GetInterfaceImplementations())
            {
                Add(from, $"the interfaces of {name}", Entity(reader.GetInterfaceImplementation(implementation).Interface));
            }

            GenericParameters(from, name, type.GetGenericParameters());
            Attributes(from, $"the attributes of {name}", type.GetCustomAttributes());
            foreach (var handle in type.GetFields())
            {
                var field = reader.GetFieldDefinition(handle);
                var where = $"field {name}.{reader.GetString(field.Name)}";
                Add(from, where, field.DecodeSignature(this, null));
                Attributes(from, where, field.GetCustomAttributes());
            }

            foreach (var handle in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(handle);
                Add(from, $"property {name}.{reader.GetString(property.Name)}", Signature(property.DecodeSignature(this, null)));
            }

            foreach (var handle in type.GetEvents())
            {
                var @event = reader.GetEventDefinition(handle);
                Add(from, $"event {name}.{reader.GetString(@event.Name)}", Entity(@event.Type));
            }

            foreach (var handle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(handle);
                var methodName = $"{name}.{reader.GetString(method.Name)}";
                Add(from, $"the signature of {methodName}", Signature(method.DecodeSignature(this, null)));
                GenericParameters(from, methodName, method.GetGenericParameters());
                Attributes(from, $"the attributes of {methodName}", method.GetCustomAttributes());
                foreach (var parameter in method.GetParameters())
                {
                    Attributes(from, $"the parameters of {methodName}", reader.GetParameter(parameter).GetCustomAttributes());
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    Body(from, $"the body of {methodName}", pe.GetMethodBody(method.RelativeVirtualAddress));
                }
            }
        }

        private void Body(TypeKey from, string where, MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                var locals = reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
                Add(from, where, [.. locals.SelectMany(l => l)]);
            }

            foreach (var region in body.ExceptionRegions.Where(r => !r.CatchType.IsNil))
            {
                Add(from, where, Entity(region.CatchType));
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (short)(0xFE00 | il.ReadByte());
                }

                var operand = Operands.TryGetValue(code, out var known)
                    ? known
                    : throw new InvalidDataException($"{AssemblyName}: unknown IL opcode 0x{code:X} in {where}");
                switch (operand)
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                        Add(from, where, Entity(MetadataTokens.EntityHandle(il.ReadInt32())));
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineNone:
                        break;
                    default:
                        throw new InvalidDataException($"{AssemblyName}: IL operand type {operand} in {where}");
                }
            }
        }

        private void GenericParameters(TypeKey from, string name, GenericParameterHandleCollection parameters)
        {
            foreach (var handle in parameters)
            {
                foreach (var constraint in reader.GetGenericParameter(handle).GetConstraints())
                {
                    Add(from, $"the generic constraints of {name}", Entity(reader.GetGenericParameterConstraint(constraint).Type));
                }
            }
        }

        private void Attributes(TypeKey from, string where, CustomAttributeHandleCollection attributes)
        {
            foreach (var handle in attributes)
            {
                Add(from, where, Entity(reader.GetCustomAttribute(handle).Constructor));
            }
        }

        /// <summary>The types a token names: a type itself, or the declaring type and signature of a member.</summary>
        private ImmutableArray<TypeKey> Entity(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return [Key((TypeDefinitionHandle)handle)];
                case HandleKind.TypeReference:
                    return [Key((TypeReferenceHandle)handle)];
                case HandleKind.TypeSpecification:
                    return reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return [Key(method.GetDeclaringType()), .. Signature(method.DecodeSignature(this, null))];
                case HandleKind.FieldDefinition:
                    var field = reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                    return [Key(field.GetDeclaringType()), .. field.DecodeSignature(this, null)];
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    var parent = member.Parent.Kind == HandleKind.ModuleReference ? [] : Entity(member.Parent);
                    var signature = member.GetKind() == MemberReferenceKind.Method
                        ? Signature(member.DecodeMethodSignature(this, null))
                        : member.DecodeFieldSignature(this, null);
                    return [.. parent, .. signature];
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return [.. Entity(specification.Method), .. specification.DecodeSignature(this, null).SelectMany(t => t)];
                case HandleKind.StandaloneSignature:
                    var standalone = reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                    return standalone.GetKind() == StandaloneSignatureKind.Method
                        ? Signature(standalone.DecodeMethodSignature(this, null))
                        : [.. standalone.DecodeLocalSignature(this, null).SelectMany(t => t)];
                default:
                    return [];
            }
        }

        private static ImmutableArray<TypeKey> Signature(MethodSignature<ImmutableArray<TypeKey>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];

        private void Add(TypeKey from, string where, ImmutableArray<TypeKey> types)
        {
            foreach (var to in types)
            {
                var use = new TypeUse(from, where, to);
                if (seen.Add(use))
                {
                    Uses.Add(use);
                }
            }
        }

        private TypeKey Key(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            while (!type.GetDeclaringType().IsNil)
            {
                handle = type.GetDeclaringType();
                type = reader.GetTypeDefinition(handle);
            }

            return new TypeKey(AssemblyName, reader.GetString(type.Namespace), reader.GetString(type.Name));
        }

        private TypeKey Key(TypeReferenceHandle handle)
        {
            var type = reader.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            var assembly = type.ResolutionScope.Kind == HandleKind.AssemblyReference
                ? reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name)
                : AssemblyName;
            return new TypeKey(assembly, reader.GetString(type.Namespace), reader.GetString(type.Name));
        }

        public ImmutableArray<TypeKey> GetArrayType(ImmutableArray<TypeKey> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeKey> GetByReferenceType(ImmutableArray<TypeKey> elementType) => elementType;

        public ImmutableArray<TypeKey> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeKey>> signature) => Signature(signature);

        public ImmutableArray<TypeKey> GetGenericInstantiation(ImmutableArray<TypeKey> genericType, ImmutableArray<ImmutableArray<TypeKey>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(t => t)];

        public ImmutableArray<TypeKey> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeKey> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeKey> GetModifiedType(ImmutableArray<TypeKey> modifier, ImmutableArray<TypeKey> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];

        public ImmutableArray<TypeKey> GetPinnedType(ImmutableArray<TypeKey> elementType) => elementType;

        public ImmutableArray<TypeKey> GetPointerType(ImmutableArray<TypeKey> elementType) => elementType;

        public ImmutableArray<TypeKey> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeKey> GetSZArrayType(ImmutableArray<TypeKey> elementType) => elementType;

        public ImmutableArray<TypeKey> GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => [Key(handle)];

        public ImmutableArray<TypeKey> GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => [Key(handle)];

        public ImmutableArray<TypeKey> GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            metadata.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
