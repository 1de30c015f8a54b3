using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphNet.Generators;

/// <summary>Reads a [Model] class (symbols and syntax) into a symbol-free <see cref="ModelSpec"/>.</summary>
public static class ModelParser
{
    private const string Ns = "GraphNet.";

    /// <summary>The most elements one tensor can hold (a .NET array's limit).</summary>
    public const long MaxElements = 0x7FFFFFC7;

    /// <summary>Members the generated part declares; a user member of the same name would collide with it.</summary>
    private static readonly string[] GeneratedMembers = { "Parameters", "Device", "Buffers", "Sc", "V256", "V512" };

    internal static readonly string[] EntryAttributes =
    {
        Ns + "CompileAttribute", Ns + "GradientsAttribute", Ns + "GradientAttribute",
        Ns + "TrainAttribute", Ns + "HessianVectorProductAttribute", Ns + "HessianAttribute", Ns + "UpdateAttribute",
    };

    /// <summary>Parses the model, or returns null for every [Model] declaration of a class but its first (the class is parsed once).</summary>
    public static ParsedModel? Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        if (!IsFirstModelDeclaration(ctx, type)) return null;
        var locs = new LocationTable();
        var diags = new List<DiagnosticInfo>();
        try
        {
            return new ParsedModel(ParseCore(ctx, type, locs, diags, ct), locs.ToEquatable());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InternalError, locs.Add(((ClassDeclarationSyntax)ctx.TargetNode).Identifier), type.Name, e.GetType().Name + ": " + e.Message));
            return new ParsedModel(Empty(type, diags), locs.ToEquatable());
        }
    }

    /// <summary>[Model] may sit on several partial declarations of one class: only the first (by file and position) is parsed.</summary>
    private static bool IsFirstModelDeclaration(GeneratorAttributeSyntaxContext ctx, INamedTypeSymbol type)
    {
        var first = type.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == ModelGenerator.ModelAttribute && a.ApplicationSyntaxReference is not null)
            .Select(a => a.ApplicationSyntaxReference!)
            .OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(r => r.Span.Start)
            .FirstOrDefault();
        return first is null || first.SyntaxTree == ctx.TargetNode.SyntaxTree && ctx.TargetNode.Span.Contains(first.Span);
    }

    private static ModelSpec Empty(INamedTypeSymbol type, List<DiagnosticInfo> diags) => new(
        null, EquatableArray<string>.Empty, type.Name, type.MetadataName, EquatableArray<ParamSpec>.Empty,
        EquatableArray<SpecMethod>.Empty, EquatableArray<EntrySpec>.Empty, diags.ToEquatable()) { HintName = HintName(type) };

    /// <summary>
    /// A file name for the model's generated part: its namespace, containing types and metadata name, with any
    /// character outside [A-Za-z0-9_.] replaced (file-local and escaped names hold '&lt;', '@', non-ASCII letters)
    /// and then a hash of the full name added, so two models never share a name.
    /// </summary>
    public static string HintName(INamedTypeSymbol type)
    {
        var full = new StringBuilder();
        if (!type.ContainingNamespace.IsGlobalNamespace) full.Append(type.ContainingNamespace.ToDisplayString()).Append('.');
        var chain = new List<string>();
        for (var t = type; t is not null; t = t.ContainingType) chain.Insert(0, t.MetadataName);
        full.Append(string.Join(".", chain));
        var name = full.ToString();
        var clean = new string(name.Select(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' ? c : '_').ToArray());
        if (clean != name || name.Length > 120)
        {
            uint h = 2166136261;
            foreach (var c in name) h = (h ^ c) * 16777619;
            clean = (clean.Length > 120 ? clean.Substring(0, 120) : clean) + "_" + h.ToString("x8", CultureInfo.InvariantCulture);
        }
        return clean + ".g.cs";
    }

    private static ModelSpec ParseCore(GeneratorAttributeSyntaxContext ctx, INamedTypeSymbol type, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var decl = (ClassDeclarationSyntax)ctx.TargetNode;
        var nameLoc = locs.Add(decl.Identifier);
        var (canAddPart, declaration, containing) = Declarations(type, ct);
        if (!type.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.ModelNotPartial, nameLoc, type.Name));
            return Empty(type, diags);
        }
        string? problem = ModelProblem(type, decl);
        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var members = type.GetMembers().OrderBy(m => m.Locations.FirstOrDefault()?.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0).ToList();
        var entries = members.OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary)
            .Select(m => (Method: m, Attr: m.GetAttributes().FirstOrDefault(a => EntryAttributes.Contains(a.AttributeClass?.ToDisplayString()))))
            .Where(x => x.Attr is not null)
            .Select(x => ParseEntry(x.Method, x.Attr!, locs, diags, ct)).ToList();
        ModelSpec Spec(IEnumerable<ParamSpec> ps, IEnumerable<SpecMethod> methods) => new(ns, containing.ToEquatable(), type.Name, type.MetadataName,
            ps.ToEquatable(), methods.ToEquatable(), entries.ToEquatable(), diags.ToEquatable())
        { HintName = HintName(type), Declaration = declaration, CanAddPart = canAddPart };
        if (problem is not null)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.UnsupportedModel, nameLoc, type.Name, problem));
            return Spec(Array.Empty<ParamSpec>(), Array.Empty<SpecMethod>());
        }
        CheckReservedNames(type, members, locs, diags);

        var read = ModuleReader.Read(ctx.SemanticModel.Compilation, type, members, locs, diags, ct);
        var modules = ModuleReader.Collect(ctx.SemanticModel.Compilation, read.ModuleTypes, locs, diags, nameLoc, ct);
        return Spec(read.Params, read.Methods) with
        {
            Config = read.Config.ToEquatable(),
            Submodules = read.Submodules.ToEquatable(),
            Modules = modules.ToEquatable(),
        };
    }

    /// <summary>Why the generator cannot add a part to this class, or null.</summary>
    private static string? ModelProblem(INamedTypeSymbol type, ClassDeclarationSyntax decl)
    {
        if (decl.Modifiers.Any(SyntaxKind.FileKeyword) || type.Name.Contains("<"))
            return "a file-local class ('file'): the generated part lives in another file; declare it 'internal' or 'public'";
        if (type.IsStatic) return "a static class: a model has instances (parameters, buffers); remove 'static'";
        if (type.TypeParameters.Length > 0) return "a generic class: parameter shapes and kernels are fixed at build time; remove the type parameters";
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            if (t.TypeParameters.Length > 0) return $"nested in the generic type '{t.Name}': move it out, or make '{t.Name}' non-generic";
            if (!t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword)))
                return $"nested in '{t.Name}', which is not partial: declare '{t.Name}' 'partial' too";
        }
        return null;
    }

    /// <summary>Whether a generated part can be added, its class declaration line, and those of the containing types.</summary>
    internal static (bool CanAddPart, string Declaration, List<string> Containing) Declarations(INamedTypeSymbol type, CancellationToken ct)
    {
        bool Partial(INamedTypeSymbol t) => t.DeclaringSyntaxReferences.Length > 0
            && t.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is TypeDeclarationSyntax s && s.Modifiers.Any(SyntaxKind.PartialKeyword) && !s.Modifiers.Any(SyntaxKind.FileKeyword));
        bool can = Partial(type);
        var containing = new List<string>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            can &= Partial(t);
            containing.Insert(0, "partial " + Keyword(t) + " " + Identifiers.Escape(t.Name) + TypeParameters(t));
        }
        return (can, "partial class " + Identifiers.Escape(type.Name) + TypeParameters(type), containing);
    }

    private static string Keyword(INamedTypeSymbol t) => t.TypeKind switch
    {
        TypeKind.Struct => t.IsRecord ? "record struct" : "struct",
        TypeKind.Interface => "interface",
        _ => t.IsRecord ? "record" : "class",
    };

    private static string TypeParameters(INamedTypeSymbol t) =>
        t.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", t.TypeParameters.Select(p => Identifiers.Escape(p.Name))) + ">";

    /// <summary>Members whose names the generated part uses: GN0014 on each.</summary>
    private static void CheckReservedNames(INamedTypeSymbol type, List<ISymbol> members, LocationTable locs, List<DiagnosticInfo> diags)
    {
        foreach (var m in members.Concat(type.GetTypeMembers()).Distinct(SymbolEqualityComparer.Default))
        {
            if (m.IsImplicitlyDeclared || m.Locations.Length == 0 || !m.Locations[0].IsInSource) continue;
            string? why = null;
            if (m is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor)
            {
                if (ctor.Parameters.Length == 2 && ctor.Parameters[0].Type.OriginalDefinition.ToDisplayString().TrimEnd('?') == Ns + "Device"
                    && ctor.Parameters[1].Type.SpecialType == SpecialType.System_Int32)
                    why = "the generated constructor (Device? device, int seed); give your constructor other parameters";
            }
            else if (m.Name.StartsWith("__", StringComparison.Ordinal))
                why = "names starting with '__' are reserved for generated members; rename it";
            else if (System.Text.RegularExpressions.Regex.IsMatch(m.Name, @"_Kernel\d+(_Job)?$"))
                why = "the generated kernel methods and jobs, named <Entry>_Kernel<N>(_Job); rename it";
            else if (GeneratedMembers.Contains(m.Name) && m is not IMethodSymbol { MethodKind: not MethodKind.Ordinary })
                why = $"the generated member or kernel helper '{m.Name}'; rename it";
            if (why is not null)
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.ReservedName, locs.Add(m.Locations[0]), m.Name, type.Name, why));
        }
    }

    internal static ParamSpec ParseParam(IFieldSymbol f, AttributeData attr, Dictionary<string, int> consts, HashSet<string> config, LocationTable locs, List<DiagnosticInfo> diags)
    {
        bool isBuffer = attr.AttributeClass!.Name == "BufferAttribute";
        string kind = isBuffer ? "[Buffer]" : "[Param]";
        var loc = locs.Add(f.Locations[0]);
        // A field with an error stays in the spec as broken: spec methods that use it fail quietly, without a second error.
        var broken = new ParamSpec(f.Name, EquatableArray<string>.Empty, "Auto", loc) { IsBuffer = isBuffer, IsBroken = true };
        ParamSpec Bad(string why)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidParam, loc, kind, f.Name, why));
            return broken;
        }
        if (f.Type.ToDisplayString().TrimEnd('?') != Ns + "Tensor") return Bad($"its type is '{f.Type.ToDisplayString()}'; declare it as 'Tensor {f.Name};'");
        if (f.IsStatic || f.IsConst) return Bad("it is static; parameters belong to each model instance: remove 'static'");
        var values = FlattenArguments(attr.ConstructorArguments, out var shapeProblem);
        if (shapeProblem is not null) return Bad(shapeProblem);
        var dims = new List<string>();
        long count = 1;
        foreach (var v in values)
        {
            int d;
            switch (v.Value)
            {
                case int i: d = i; break;
                case string s when consts.TryGetValue(s, out var c): d = c; break;
                case string s when config.Contains(s): dims.Add(s); continue; // a config value: known when the module is built

                case string s:
                    diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.UnknownDim, loc, f.Name, s));
                    return broken;
                case var o:
                    return Bad($"dim {dims.Count} is {Describe(o)}; dims are positive ints or names of const ints of the model");
            }
            if (d <= 0) return Bad($"dim {dims.Count} is {d}; dims must be positive");
            count *= d;
            if (count > MaxElements) return Bad($"its shape has more than {MaxElements} elements, the most a tensor can hold");
            dims.Add(d.ToString(CultureInfo.InvariantCulture));
        }
        var init = attr.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value;
        string initName = isBuffer ? "Zeros" : "Auto";
        if (!init.IsNull && init.Type is INamedTypeSymbol et)
            initName = et.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(m => m.HasConstantValue && Equals(m.ConstantValue, init.Value))?.Name ?? "Auto";
        string? fanIn = attr.NamedArguments.FirstOrDefault(a => a.Key == "FanIn").Value switch
        {
            { IsNull: true } => null,
            { Value: int i } when i > 0 => i.ToString(CultureInfo.InvariantCulture),
            { Value: string s } when consts.TryGetValue(s, out var c) => c.ToString(CultureInfo.InvariantCulture),
            { Value: string s } when config.Contains(s) => s,
            var other => other.Kind == TypedConstantKind.Error ? null : "bad",
        };
        if (fanIn == "bad") return Bad("its FanIn is not a positive int or the name of a const or config value");
        return new ParamSpec(f.Name, dims.ToEquatable<string>(), initName, loc) { IsBuffer = isBuffer, FanIn = fanIn };
    }

    /// <summary>The values of a params object[] attribute argument; a null array or a nested array is a problem, not a value.</summary>
    private static List<TypedConstant> FlattenArguments(IEnumerable<TypedConstant> args, out string? problem)
    {
        problem = null;
        var values = new List<TypedConstant>();
        foreach (var a in args)
        {
            if (a.Kind == TypedConstantKind.Error) { problem = "its shape argument does not compile"; return values; }
            if (a.Kind != TypedConstantKind.Array) { values.Add(a); continue; }
            if (a.IsNull) { problem = "its shape is null; list the dims, for example (784, 256)"; return values; }
            foreach (var v in a.Values)
            {
                if (v.Kind == TypedConstantKind.Array) { problem = "its shape holds a nested array; list the dims one by one"; return values; }
                values.Add(v);
            }
        }
        return values;
    }

    private static string Describe(object? o) => o switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => $"{Convert.ToString(o, CultureInfo.InvariantCulture)} ({o.GetType().Name})",
    };

    internal static InputSpec ParseInput(IParameterSymbol p, string method, LocationTable locs, List<DiagnosticInfo> diags)
    {
        var loc = locs.Add(p.Locations[0]);
        var attr = p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Ns + "ShapeAttribute");
        var spec = new InputSpec(p.Name, EquatableArray<string>.Empty, false, loc);
        string? scalar = p.Type.SpecialType switch
        {
            SpecialType.System_Single => "float",
            SpecialType.System_Int32 => "int",
            SpecialType.System_Boolean => "bool",
            _ => null,
        };
        if (scalar is not null && p.RefKind == RefKind.None && !p.Name.StartsWith("__", StringComparison.Ordinal))
            return spec with { ScalarType = scalar, HasShape = true };
        if (p.RefKind != RefKind.None || p.IsParams)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidShape, loc, p.Name, method, "it is a 'ref', 'out', 'in' or 'params' parameter; spec arguments are plain values"));
            return spec;
        }
        if (p.Name.StartsWith("__", StringComparison.Ordinal))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidShape, loc, p.Name, method, "names starting with '__' are reserved for generated locals; rename it"));
            return spec;
        }
        if (attr is null) return spec;
        var values = FlattenArguments(attr.ConstructorArguments, out var problem);
        var dims = new List<string>();
        foreach (var v in values)
        {
            if (problem is not null) break;
            switch (v.Value)
            {
                case int i when i > 0: dims.Add(i.ToString(CultureInfo.InvariantCulture)); break;
                case int i: problem = $"dim {dims.Count} is {i}; constant dims must be positive"; break;
                case string s when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0: dims.Add(s); break;
                case string s when Identifiers.IsDimName(s): dims.Add(s); break;
                case string s: problem = $"dim {dims.Count} is \"{s}\"; a symbolic dim is named like an identifier (letters, digits, '_'), for example \"B\" or \"seqLen\""; break;
                case var o: problem = $"dim {dims.Count} is {Describe(o)}; dims are positive ints or names such as \"B\""; break;
            }
        }
        if (problem is not null)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidShape, loc, p.Name, method, problem));
            return spec;
        }
        return new InputSpec(p.Name, dims.ToEquatable<string>(), true, loc);
    }

    /// <summary>A spec method's overload key: its name and parameter types.</summary>
    internal static string Key(IMethodSymbol m) =>
        m.Name + "(" + string.Join(",", m.OriginalDefinition.Parameters.Select(p => p.Type.ToDisplayString())) + ")";

    internal static string Declaration(IMethodSymbol m)
    {
        var fq = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);
        string Param(IParameterSymbol p) => (p.RefKind switch { RefKind.None => "", RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", _ => "ref readonly " })
            + (p.IsParams ? "params " : "") + p.Type.ToDisplayString(fq) + " " + Identifiers.Escape(p.Name);
        string typeParams = m.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", m.TypeParameters.Select(t => Identifiers.Escape(t.Name))) + ">";
        string refReturn = m.ReturnsByRefReadonly ? "ref readonly " : m.ReturnsByRef ? "ref " : "";
        return $"{refReturn}{m.ReturnType.ToDisplayString(fq)} {Identifiers.Escape(m.Name)}{typeParams}({string.Join(", ", m.Parameters.Select(Param))})";
    }

    private static EntrySpec ParseEntry(IMethodSymbol m, AttributeData attr, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var kind = attr.AttributeClass!.Name switch
        {
            "CompileAttribute" or "UpdateAttribute" => EntryKind.Forward,
            "GradientsAttribute" => EntryKind.LossAndGradients,
            "TrainAttribute" => EntryKind.Train,
            "HessianVectorProductAttribute" => EntryKind.HessianVectorProduct,
            "HessianAttribute" => EntryKind.Hessian,
            _ => EntryKind.InputGradient,
        };
        var args = (attr.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax)?.ArgumentList?.Arguments;
        var nameLoc = locs.Add(m.Locations[0]);
        var attrLoc = attr.ApplicationSyntaxReference is { } r ? locs.Add(r.GetSyntax(ct)) : nameLoc;
        var specLoc = args is { Count: > 0 } a0 ? locs.Add(a0[0]) : attrLoc;
        var wrtLoc = args is { Count: > 1 } a1 ? locs.Add(a1[1]) : null;
        string spec = attr.ConstructorArguments.Length > 0 ? attr.ConstructorArguments[0].Value as string ?? "" : "";
        string? wrt = attr.ConstructorArguments.Length > 1 ? attr.ConstructorArguments[1].Value as string : null;
        var syntax = m.DeclaringSyntaxReferences.Select(s => s.GetSyntax(ct)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var mods = syntax is null ? "public" : string.Join(" ", syntax.Modifiers.Where(t => !t.IsKind(SyntaxKind.PartialKeyword)).Select(t => t.Text));
        // A body can be added only to a partial definition that has no implementation yet.
        bool implementable = m.IsPartialDefinition && m.PartialImplementationPart is null;
        string? problem = !m.IsPartialDefinition ? $"it is not a partial method without a body; declare it '{mods} partial {Declaration(m)};' and GraphNet writes the body"
            : m.PartialImplementationPart is not null ? "it already has a body; remove the body, GraphNet writes it"
            : m.IsStatic ? "it is static; entry points run a model instance's parameters: remove 'static'"
            : m.TypeParameters.Length > 0 ? "it is generic; remove the type parameters"
            : m.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams) ? "it has a 'ref', 'out', 'in' or 'params' parameter; pass tensors by value"
            : m.Parameters.Any(p => p.Name.StartsWith("__", StringComparison.Ordinal)) ? "a parameter name starts with '__', which is reserved for generated locals; rename it"
            : null;
        if (problem is not null) diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidEntry, nameLoc, m.Name, problem));
        var parameters = m.Parameters.ToList();
        string? extra = null;
        bool ok = problem is null;
        if (kind is EntryKind.Train or EntryKind.HessianVectorProduct)
        {
            string extraType = kind == EntryKind.Train ? Ns + "Optimizer" : Ns + "Tensor";
            if (parameters.Count > 0 && parameters[parameters.Count - 1].Type.ToDisplayString().TrimEnd('?') == extraType)
            {
                extra = parameters[parameters.Count - 1].Name;
                parameters.RemoveAt(parameters.Count - 1);
            }
            else
            {
                ok = false;
                extra = kind == EntryKind.Train ? "optimizer" : "v";
            }
        }
        string TypeOf(IParameterSymbol p) => p.Type.SpecialType switch
        {
            SpecialType.System_Single => "float",
            SpecialType.System_Int32 => "int",
            _ => p.Type.ToDisplayString().TrimEnd('?') == Ns + "Tensor" ? "Tensor" : "other",
        };
        var types = parameters.Select(TypeOf).ToList();
        string expected = kind is EntryKind.LossAndGradients or EntryKind.Train ? "float" : Ns + "Tensor";
        int arity = kind == EntryKind.Forward ? ModuleReader.TupleArity(m.ReturnType) : 0;
        ok = ok && !types.Contains("other") && (m.ReturnType.ToDisplayString().TrimEnd('?') == expected || arity > 0);
        var mode = attr.NamedArguments.FirstOrDefault(a => a.Key == "Mode").Value;
        bool training = mode.IsNull || mode.Value is not int mv || mv == 0 ? kind is EntryKind.LossAndGradients or EntryKind.Train : mv == 1;
        return new EntrySpec(m.Name, kind, spec, wrt, mods, parameters.Select(p => p.Name).ToEquatable(), ok,
            nameLoc, specLoc, wrtLoc)
        {
            Extra = extra, Declared = Declaration(m), Training = training, Implementable = implementable, Invalid = problem is not null,
            Commits = attr.AttributeClass!.Name == "UpdateAttribute",
            Then = attr.NamedArguments.FirstOrDefault(a => a.Key == "Then").Value.Value as string,
            Trains = attr.NamedArguments.FirstOrDefault(a => a.Key == "Parameters").Value.Value as string,
            ParamTypes = types.ToEquatable(), ReturnArity = arity, ReturnType = m.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
        };
    }
}
