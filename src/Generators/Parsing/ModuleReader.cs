using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GraphNet.Generators;

/// <summary>
/// Reads what models and modules have in common (config values, parameters and buffers, sub-module fields, spec
/// methods), and finds the module types a model uses: from source in the same compilation, or from the spec the
/// generator stored on a compiled module in a referenced assembly (<c>[CompiledModule]</c>).
/// </summary>
internal static class ModuleReader
{
    public const string ModuleAttribute = "GraphNet.ModuleAttribute";
    public const string CompiledModuleAttribute = "GraphNet.CompiledModuleAttribute";
    private const string Ns = "GraphNet.";

    public static bool IsModule(ITypeSymbol? t) =>
        t is INamedTypeSymbol n && n.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModuleAttribute);

    /// <summary>The module type of a sub-module field (<c>Linear</c> or <c>Block[]</c>), or null.</summary>
    public static INamedTypeSymbol? ModuleType(ITypeSymbol t) =>
        t is IArrayTypeSymbol { Rank: 1 } a ? (IsModule(a.ElementType) ? (INamedTypeSymbol)a.ElementType : null) : IsModule(t) ? (INamedTypeSymbol)t : null;

    /// <summary>A type's name as <c>Compilation.GetTypeByMetadataName</c> reads it (Ns.Outer+Inner`1).</summary>
    public static string MetadataName(INamedTypeSymbol t)
    {
        var chain = new List<string>();
        for (var c = t; c is not null; c = c.ContainingType) chain.Insert(0, c.MetadataName);
        var ns = t.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + string.Join("+", chain);
    }

    public sealed class Members
    {
        public List<ConfigSpec> Config { get; } = new();
        public List<ParamSpec> Params { get; } = new();
        public List<SubmoduleSpec> Submodules { get; } = new();
        public List<SpecMethod> Methods { get; } = new();
        public List<INamedTypeSymbol> ModuleTypes { get; } = new();
    }

    private static readonly string[] ConfigTypes = { "int", "float", "double", "bool", "long" };

    private static string? ConfigType(ITypeSymbol t) => t.SpecialType switch
    {
        SpecialType.System_Int32 or SpecialType.System_Int64 => "int",
        SpecialType.System_Single or SpecialType.System_Double => "float",
        SpecialType.System_Boolean => "bool",
        _ => null,
    };

    /// <summary>The primary constructor of a class declared with one (<c>class Linear(int inFeatures, int outFeatures)</c>), or null.</summary>
    public static IMethodSymbol? PrimaryConstructor(INamedTypeSymbol type, CancellationToken ct) =>
        type.InstanceConstructors.FirstOrDefault(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is TypeDeclarationSyntax));

    /// <summary>Reads the members of a model or module class in declaration order.</summary>
    public static Members Read(Compilation compilation, INamedTypeSymbol type, List<ISymbol> members, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var result = new Members();
        var consts = new Dictionary<string, int>();
        foreach (var f in members.OfType<IFieldSymbol>().Where(f => f.IsConst && f.ConstantValue is int && !consts.ContainsKey(f.Name)))
            consts[f.Name] = (int)f.ConstantValue!;
        var memberNames = new HashSet<string>();

        // Config: the primary constructor's arguments, then int/float/bool fields with initializers.
        if (PrimaryConstructor(type, ct) is { } primary)
        {
            foreach (var p in primary.Parameters)
            {
                var loc = locs.Add(p.Locations[0]);
                var t = ConfigType(p.Type);
                if (t is null)
                {
                    diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidModule, loc, type.Name,
                        $"constructor argument '{p.Name}' is a '{p.Type.ToDisplayString()}'; module arguments are int, float or bool values known when the model is built"));
                    continue;
                }
                Expr? dflt = !p.HasExplicitDefaultValue ? null : p.ExplicitDefaultValue switch
                {
                    bool b => new BoolExpr(b, loc),
                    { } v => new NumberExpr(Convert.ToDouble(v, CultureInfo.InvariantCulture), loc),
                    _ => null,
                };
                result.Config.Add(new ConfigSpec(p.Name, t, dflt, loc) { IsArgument = true });
                memberNames.Add(p.Name);
            }
        }
        var paramFields = new List<(IFieldSymbol Field, AttributeData Attr)>();
        foreach (var f in members.OfType<IFieldSymbol>())
        {
            var attr = f.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is Ns + "ParamAttribute" or Ns + "BufferAttribute");
            if (attr is not null) { paramFields.Add((f, attr)); memberNames.Add(f.Name); continue; }
            if (f.IsStatic || f.IsConst || f.IsImplicitlyDeclared) continue;
            if (ModuleType(f.Type) is not null) { memberNames.Add(f.Name); continue; }
            if (ConfigType(f.Type) is not null && Initializer(f, ct) is not null) memberNames.Add(f.Name);
        }
        var configNames = new HashSet<string>(result.Config.Select(c => c.Name));
        foreach (var f in members.OfType<IFieldSymbol>())
        {
            ct.ThrowIfCancellationRequested();
            if (f.IsStatic || f.IsConst || f.IsImplicitlyDeclared || paramFields.Any(p => SymbolEqualityComparer.Default.Equals(p.Field, f))) continue;
            if (ConfigType(f.Type) is { } t && Initializer(f, ct) is { } init)
            {
                var loc = locs.Add(f.Locations[0]);
                var model = compilation.GetSemanticModel(init.SyntaxTree);
                var op = Operation(model, init, ct);
                var value = op is null ? null : new ExprParser(model, type, memberNames, type.Name, locs, diags, ct)
                    .ParseConstant(op, $"The value of '{f.Name}' (a config field of '{type.Name}')");
                result.Config.Add(new ConfigSpec(f.Name, t, value, loc));
                configNames.Add(f.Name);
            }
            else if (ModuleType(f.Type) is { } moduleType)
            {
                result.Submodules.Add(ReadSubmodule(compilation, type, f, memberNames, locs, diags, ct) with { Suffix = FlattenSuffix(f, locs, diags) });
                if (!result.ModuleTypes.Contains(moduleType, SymbolEqualityComparer.Default)) result.ModuleTypes.Add(moduleType);
            }
        }
        bool module = IsModule(type);
        foreach (var (f, attr) in paramFields)
        {
            if (module && f.IsReadOnly && !f.IsStatic)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidParam, locs.Add(f.Locations[0]), "[Param]", f.Name,
                    "it is readonly; GraphNet binds a module's fields to the tensors of the model that holds it: remove 'readonly'"));
                result.Params.Add(new ParamSpec(f.Name, EquatableArray<string>.Empty, "Auto", locs.Add(f.Locations[0])) { IsBroken = true });
                continue;
            }
            result.Params.Add(ModelParser.ParseParam(f, attr, consts, configNames, locs, diags));
        }
        var broken = new HashSet<string>(result.Params.Where(p => p.IsBroken).Select(p => p.Name));

        foreach (var m in members.OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary))
        {
            ct.ThrowIfCancellationRequested();
            if (m.IsPartialDefinition || m.GetAttributes().Any(a => ModelParser.EntryAttributes.Contains(a.AttributeClass?.ToDisplayString()))) continue;
            var syntax = m.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (syntax is null || (syntax.Body is null && syntax.ExpressionBody is null)) continue;
            var loc = locs.Add(syntax.Identifier);
            int arity = TupleArity(m.ReturnType);
            if (m.ReturnType.ToDisplayString() != Ns + "Tensor" && arity == 0)
            {
                result.Methods.Add(new SpecMethod(m.Name, EquatableArray<InputSpec>.Empty, EquatableArray<Stmt>.Empty, loc)
                    { Key = ModelParser.Key(m), OtherReturnType = m.ReturnType.ToDisplayString() });
                continue;
            }
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
            var inputs = m.Parameters.Select(p => ModelParser.ParseInput(p, m.Name, locs, diags)).ToEquatable();
            var body = new ExprParser(model, type, memberNames, m.Name, locs, diags, ct).ParseBody(syntax);
            result.Methods.Add(new SpecMethod(m.Name, inputs, body, loc) { Key = ModelParser.Key(m), TupleArity = arity });
        }
        return result;
    }

    /// <summary>The number of elements of a tuple whose elements are all Tensor; 0 for anything else.</summary>
    public static int TupleArity(ITypeSymbol t) =>
        t is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.Length >= 2
        && tuple.TupleElements.All(e => e.Type.ToDisplayString().TrimEnd('?') == Ns + "Tensor") ? tuple.TupleElements.Length : 0;

    private static ExpressionSyntax? Initializer(IFieldSymbol f, CancellationToken ct) =>
        f.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<VariableDeclaratorSyntax>().FirstOrDefault()?.Initializer?.Value;

    /// <summary>The suffix of a [Flatten] sub-module field; null without the attribute.</summary>
    private static string? FlattenSuffix(IFieldSymbol f, LocationTable locs, List<DiagnosticInfo> diags)
    {
        var attr = f.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Ns + "FlattenAttribute");
        if (attr is null) return null;
        string suffix = attr.ConstructorArguments.FirstOrDefault().Value as string ?? "";
        bool isArray = f.Type is IArrayTypeSymbol;
        string? why = suffix.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '{' or '}')) ? $"has [Flatten(\"{suffix}\")]; a suffix is letters, digits and '_' (and '{{i}}' in an array)"
            : !isArray && suffix.Contains("{i}") ? $"has [Flatten(\"{suffix}\")] but is not an array; '{{i}}' stands for an array element's index"
            : isArray && !suffix.Contains("{i}") ? $"is an array with [Flatten(\"{suffix}\")]; its elements would share names: put '{{i}}' (the index) in the suffix, e.g. \"_l{{i}}\""
            : suffix.Replace("{i}", "").Contains('{') || suffix.Replace("{i}", "").Contains('}') ? $"has [Flatten(\"{suffix}\")]; the only placeholder is '{{i}}'"
            : null;
        if (why is null) return suffix;
        diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidModule, locs.Add(f.Locations[0]), f.Type.ToDisplayString(), $"field '{f.Name}' {why}"));
        return null;
    }

    private static SubmoduleSpec ReadSubmodule(Compilation compilation, INamedTypeSymbol type, IFieldSymbol f, HashSet<string> memberNames, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var loc = locs.Add(f.Locations[0]);
        bool isArray = f.Type is IArrayTypeSymbol;
        var broken = new SubmoduleSpec(f.Name, isArray, EquatableArray<NewSpec>.Empty, null, null, loc);
        string example = isArray ? $"'{f.Type.ToDisplayString()} {f.Name} = Modules.Repeat(4, i => new ...(...));'" : $"'{f.Type.ToDisplayString()} {f.Name} = new(...);'";
        SubmoduleSpec Bad(string why)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidModule, loc, f.Type.ToDisplayString(), $"field '{f.Name}' {why}"));
            return broken;
        }
        if (f.IsStatic) return Bad("is static; sub-modules belong to each instance: remove 'static'");
        var init = Initializer(f, ct);
        if (init is null) return Bad($"is not constructed where it is declared; GraphNet builds the module tree at build time from field initializers: write {example}");
        var model = compilation.GetSemanticModel(init.SyntaxTree);
        var op = Operation(model, init, ct);
        if (op is null || op.Kind == OperationKind.Invalid || HasErrors(op)) return broken; // the C# compiler reports it
        var parser = new ExprParser(model, type, memberNames, type.Name, locs, diags, ct);
        while (op is IConversionOperation conv) op = conv.Operand;
        NewSpec? New(IOperation o, string where)
        {
            while (o is IConversionOperation c) o = c.Operand;
            if (o is not IObjectCreationOperation { Constructor: { } ctor } create || ModuleType(create.Type!) is null)
            {
                Bad($"is initialized with '{o.Syntax}'; {where} must be 'new T(...)' of a [Module] class");
                return null;
            }
            var args = new List<Expr>();
            foreach (var a in create.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                var e = parser.ParseConstant(a.Value, $"Argument '{a.Parameter?.Name}' of the module '{f.Name}'");
                if (e is null) return null;
                args.Add(e);
            }
            return new NewSpec(MetadataName((INamedTypeSymbol)create.Type!), args.ToEquatable(), locs.Add(create.Syntax));
        }
        if (!isArray)
            return New(op, "a sub-module") is { } one ? new SubmoduleSpec(f.Name, false, new[] { one }.ToEquatable(), null, null, loc) : broken;
        switch (op)
        {
            case IArrayCreationOperation { Initializer: { } ai }:
                return Items(ai.ElementValues);
            case ICollectionExpressionOperation coll:
                return Items(coll.Elements);
            case IInvocationOperation { TargetMethod: { Name: "Repeat", ContainingType: var owner } } rep when owner.ToDisplayString() == Ns + "Modules" && rep.Arguments.Length == 2:
                var count = parser.ParseConstant(rep.Arguments.First(a => a.Parameter?.Ordinal == 0).Value, $"The count of the module array '{f.Name}'");
                var factory = rep.Arguments.First(a => a.Parameter?.Ordinal == 1).Value;
                while (factory is IDelegateCreationOperation or IConversionOperation)
                    factory = factory is IDelegateCreationOperation d ? d.Target : ((IConversionOperation)factory).Operand;
                if (count is null) return broken;
                if (factory is not IAnonymousFunctionOperation lambda || lambda.Body.Operations.Length != 1 || lambda.Body.Operations[0] is not IReturnOperation { ReturnedValue: { } made })
                    return Bad("is built by Modules.Repeat with a factory that is not a lambda returning 'new T(...)': write 'Modules.Repeat(n, i => new Block(...))'");
                var item = New(made, "the lambda's result");
                return item is null ? broken : new SubmoduleSpec(f.Name, true, new[] { item }.ToEquatable(), count, lambda.Symbol.Parameters.FirstOrDefault()?.Name, loc);
            default:
                return Bad($"is initialized with '{op.Syntax}'; write {example} or list the modules: 'new T[] {{ new(...), new(...) }}'");
        }
        SubmoduleSpec Items(IEnumerable<IOperation> elements)
        {
            var items = new List<NewSpec>();
            foreach (var e in elements)
            {
                if (New(e, "each element") is not { } n) return broken;
                items.Add(n);
            }
            return new SubmoduleSpec(f.Name, true, items.ToEquatable(), null, null, loc);
        }
    }

    /// <summary>The operation of a field initializer's value (the initializer itself when Roslyn gives that).</summary>
    private static IOperation? Operation(SemanticModel model, ExpressionSyntax init, CancellationToken ct) =>
        model.GetOperation(init, ct) switch
        {
            IFieldInitializerOperation fi => fi.Value,
            var op => op,
        };

    private static bool HasErrors(IOperation op) => op.Descendants().Any(d => d.Kind == OperationKind.Invalid);

    /// <summary>
    /// Parses a [Module] class from source: its spec, with diagnostics for what makes it unusable
    /// (not partial, generic, an entry point, a constructor other than the primary one).
    /// </summary>
    public static (ModuleSpec Spec, List<INamedTypeSymbol> Uses) ParseModule(Compilation compilation, INamedTypeSymbol type, LocationTable locs, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var nameLoc = type.Locations.Length > 0 && type.Locations[0].IsInSource ? locs.Add(type.Locations[0]) : new LocationInfo(-1);
        var members = type.GetMembers().OrderBy(m => m.Locations.FirstOrDefault()?.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0).ToList();
        string? problem =
            !type.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword))
                ? "it is not partial: declare it 'partial class' so GraphNet can add the members that bind its parameters"
            : type.IsStatic ? "it is static; a module has instances: remove 'static'"
            : type.IsAbstract ? "it is abstract; a module is built with 'new': remove 'abstract'"
            : type.TypeParameters.Length > 0 ? "it is generic; sizes are constructor arguments: remove the type parameters"
            : type.ContainingType is not null ? "it is nested in another type; declare it at namespace level"
            : type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ModelGenerator.ModelAttribute) ? "it is marked both [Model] and [Module]; keep one"
            : type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(ct) is ConstructorDeclarationSyntax))
                ? "it declares a constructor; take sizes and flags as primary constructor arguments ('class Linear(int inFeatures, int outFeatures)')"
            : null;
        if (problem is not null)
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidModule, nameLoc, type.Name, problem));
        foreach (var m in members.OfType<IMethodSymbol>())
            if (m.GetAttributes().FirstOrDefault(a => ModelParser.EntryAttributes.Contains(a.AttributeClass?.ToDisplayString())) is { } attr)
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.ModuleEntry, locs.Add(m.Locations[0]), type.Name, m.Name, attr.AttributeClass!.Name.Replace("Attribute", "")));
        var read = Read(compilation, type, members, locs, diags, ct);
        var spec = new ModuleSpec(MetadataName(type), type.Name, read.Config.ToEquatable(), read.Params.ToEquatable(),
            read.Submodules.ToEquatable(), read.Methods.ToEquatable(), nameLoc);
        return (spec, read.ModuleTypes);
    }

    /// <summary>
    /// Every module type reachable from <paramref name="roots"/>, parsed from source or read from a compiled
    /// assembly. Module types that cannot be read get a diagnostic at <paramref name="at"/> and are left out.
    /// </summary>
    public static List<ModuleSpec> Collect(Compilation compilation, IEnumerable<INamedTypeSymbol> roots, LocationTable locs, List<DiagnosticInfo> diags, LocationInfo at, CancellationToken ct)
    {
        var found = new Dictionary<string, ModuleSpec>();
        var queue = new Queue<INamedTypeSymbol>(roots);
        while (queue.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var t = queue.Dequeue();
            var name = MetadataName(t);
            if (found.ContainsKey(name)) continue;
            if (t.DeclaringSyntaxReferences.Length > 0)
            {
                // Its own errors are reported once, by the module's own pipeline; here they only mark it unusable.
                var own = new List<DiagnosticInfo>();
                var (spec, uses) = ParseModule(compilation, t, locs, own, ct);
                found[name] = own.Count > 0 ? spec with { HasErrors = true } : spec;
                foreach (var u in uses) queue.Enqueue(u);
                continue;
            }
            var stored = t.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == CompiledModuleAttribute);
            ModuleSpec? decoded = null;
            string? why = null;
            if (stored is null || stored.ConstructorArguments.Length != 2 || stored.ConstructorArguments[1].Value is not string text)
                why = "it was compiled without the GraphNet generator (no [CompiledModule] spec on the class); build its project with GraphNet";
            else if (stored.ConstructorArguments[0].Value is not int version || version != SpecCodec.Version)
                why = $"it was compiled by a GraphNet with spec format {stored.ConstructorArguments[0].Value}, and this one reads format {SpecCodec.Version}; rebuild it with this GraphNet";
            else
            {
                try { decoded = SpecCodec.Decode<ModuleSpec>(text); }
                catch (FormatException e) { why = "its stored spec cannot be read (" + e.Message + "); rebuild it with this GraphNet"; }
            }
            if (decoded is null)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InvalidModule, at, t.Name, why!));
                continue;
            }
            found[name] = decoded;
            foreach (var sub in decoded.Submodules.SelectMany(s => s.Items))
                if (compilation.GetTypeByMetadataName(sub.Type) is { } subType) queue.Enqueue(subType);
        }
        return found.Values.OrderBy(m => m.TypeName, StringComparer.Ordinal).ToList();
    }
}
