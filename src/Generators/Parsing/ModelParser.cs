using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GraphNet.Generators;

/// <summary>Reads a [Model] class (symbols and syntax) into a symbol-free <see cref="ModelSpec"/>.</summary>
public static class ModelParser
{
    private const string Ns = "GraphNet.";

    public static ModelSpec Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken ct)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        var diags = new List<DiagnosticInfo>();
        try
        {
            return ParseCore(ctx, type, diags, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.InternalError, LocationInfo.From(ctx.TargetNode), type.Name, e.GetType().Name + ": " + e.Message));
            return Empty(type, diags);
        }
    }

    private static ModelSpec Empty(INamedTypeSymbol type, List<DiagnosticInfo> diags) => new(
        null, EquatableArray<string>.Empty, type.Name, type.MetadataName, EquatableArray<ParamSpec>.Empty,
        EquatableArray<SpecMethod>.Empty, EquatableArray<EntrySpec>.Empty, diags.ToEquatable());

    private static ModelSpec ParseCore(GeneratorAttributeSyntaxContext ctx, INamedTypeSymbol type, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        var decl = (ClassDeclarationSyntax)ctx.TargetNode;
        if (!type.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword)))
        {
            diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.ModelNotPartial, LocationInfo.From(decl.Identifier.GetLocation()), type.Name));
            return Empty(type, diags);
        }
        var compilation = ctx.SemanticModel.Compilation;
        var members = type.GetMembers().OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0).ToList();

        var consts = members.OfType<IFieldSymbol>().Where(f => f.IsConst && f.ConstantValue is int)
            .ToDictionary(f => f.Name, f => (int)f.ConstantValue!);
        var ps = new List<ParamSpec>();
        foreach (var f in members.OfType<IFieldSymbol>())
        {
            var attr = f.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is Ns + "ParamAttribute" or Ns + "BufferAttribute");
            if (attr is null) continue;
            bool isBuffer = attr.AttributeClass!.Name == "BufferAttribute";
            var loc = LocationInfo.From(f.Locations[0]);
            var dims = attr.ConstructorArguments.SelectMany(a => a.Kind == TypedConstantKind.Array ? (IEnumerable<TypedConstant>)a.Values : new[] { a })
                .Select(v => v.Value switch
                {
                    int i => i.ToString(CultureInfo.InvariantCulture),
                    string s when consts.TryGetValue(s, out var c) => c.ToString(CultureInfo.InvariantCulture),
                    string s => Unknown(s),
                    var o => Unknown(Convert.ToString(o, CultureInfo.InvariantCulture) ?? "null"),
                }).ToEquatable<string>();
            string Unknown(string s)
            {
                diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.UnknownDim, loc, f.Name, s));
                return "1";
            }
            var init = attr.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value;
            string initName = isBuffer ? "Zeros" : "Auto";
            if (!init.IsNull && init.Type is INamedTypeSymbol et)
                initName = et.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(m => m.HasConstantValue && Equals(m.ConstantValue, init.Value))?.Name ?? "Auto";
            ps.Add(new ParamSpec(f.Name, dims, initName, loc) { IsBuffer = isBuffer });
        }
        var paramNames = new HashSet<string>(ps.Select(p => p.Name));

        var methods = new List<SpecMethod>();
        var entries = new List<EntrySpec>();
        foreach (var m in members.OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary))
        {
            ct.ThrowIfCancellationRequested();
            var entryAttr = m.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is Ns + "CompileAttribute" or Ns + "GradientsAttribute" or Ns + "GradientAttribute"
                or Ns + "TrainAttribute" or Ns + "HessianVectorProductAttribute" or Ns + "HessianAttribute");
            if (entryAttr is not null) { entries.Add(ParseEntry(m, entryAttr, ct)); continue; }
            if (m.IsPartialDefinition || m.ReturnType.ToDisplayString() != Ns + "Tensor") continue;
            var syntax = m.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (syntax is null || (syntax.Body is null && syntax.ExpressionBody is null)) continue;
            var model = compilation.GetSemanticModel(syntax.SyntaxTree);
            var inputs = m.Parameters.Select(p => ParseInput(p)).ToEquatable();
            var body = new ExprParser(model, type, paramNames, m.Name, diags, ct).ParseBody(syntax);
            methods.Add(new SpecMethod(m.Name, inputs, body, LocationInfo.From(syntax.Identifier.GetLocation())));
        }

        var containing = new List<string>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
            containing.Insert(0, "partial " + (t.TypeKind == TypeKind.Struct ? "struct " : "class ") + t.Name);
        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        return new ModelSpec(ns, containing.ToEquatable(), type.Name, type.MetadataName, ps.ToEquatable(), methods.ToEquatable(), entries.ToEquatable(), diags.ToEquatable());
    }

    private static InputSpec ParseInput(IParameterSymbol p)
    {
        var attr = p.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Ns + "ShapeAttribute");
        var dims = attr is null ? EquatableArray<string>.Empty
            : attr.ConstructorArguments.SelectMany(a => a.Kind == TypedConstantKind.Array ? (IEnumerable<TypedConstant>)a.Values : new[] { a })
                .Select(v => Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? "?").ToEquatable<string>();
        return new InputSpec(p.Name, dims, attr is not null, LocationInfo.From(p.Locations[0]));
    }

    private static string Declaration(IMethodSymbol m)
    {
        var fq = SymbolDisplayFormat.FullyQualifiedFormat;
        string Param(IParameterSymbol p) => (p.RefKind switch { RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", _ => "" })
            + (p.IsParams ? "params " : "") + p.Type.ToDisplayString(fq) + " " + p.Name;
        return $"{m.ReturnType.ToDisplayString(fq)} {m.Name}({string.Join(", ", m.Parameters.Select(Param))})";
    }

    private static EntrySpec ParseEntry(IMethodSymbol m, AttributeData attr, CancellationToken ct)
    {
        var kind = attr.AttributeClass!.Name switch
        {
            "CompileAttribute" => EntryKind.Forward,
            "GradientsAttribute" => EntryKind.LossAndGradients,
            "TrainAttribute" => EntryKind.Train,
            "HessianVectorProductAttribute" => EntryKind.HessianVectorProduct,
            "HessianAttribute" => EntryKind.Hessian,
            _ => EntryKind.InputGradient,
        };
        var args = (attr.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax)?.ArgumentList?.Arguments;
        var attrLoc = attr.ApplicationSyntaxReference is { } r ? LocationInfo.From(r.GetSyntax(ct)) : LocationInfo.From(m.Locations[0]);
        var specLoc = args is { Count: > 0 } a0 ? LocationInfo.From(a0[0]) : attrLoc;
        var wrtLoc = args is { Count: > 1 } a1 ? LocationInfo.From(a1[1]) : null;
        string spec = attr.ConstructorArguments.Length > 0 ? attr.ConstructorArguments[0].Value as string ?? "" : "";
        string? wrt = attr.ConstructorArguments.Length > 1 ? attr.ConstructorArguments[1].Value as string : null;
        var syntax = m.DeclaringSyntaxReferences.Select(s => s.GetSyntax(ct)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        var mods = syntax is null ? "public" : string.Join(" ", syntax.Modifiers.Where(t => !t.IsKind(SyntaxKind.PartialKeyword)).Select(t => t.Text));
        var parameters = m.Parameters.ToList();
        string? extra = null;
        bool ok = m.IsPartialDefinition;
        if (kind is EntryKind.Train or EntryKind.HessianVectorProduct)
        {
            string extraType = kind == EntryKind.Train ? Ns + "Optimizer" : Ns + "Tensor";
            if (parameters.Count > 0 && parameters[parameters.Count - 1].Type.ToDisplayString() == extraType)
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
        bool tensorParams = parameters.All(p => p.Type.ToDisplayString() == Ns + "Tensor");
        string expected = kind is EntryKind.LossAndGradients or EntryKind.Train ? "float" : Ns + "Tensor";
        ok = ok && tensorParams && m.ReturnType.ToDisplayString() == expected;
        var mode = attr.NamedArguments.FirstOrDefault(a => a.Key == "Mode").Value;
        bool training = mode.IsNull || mode.Value is not int mv || mv == 0 ? kind is EntryKind.LossAndGradients or EntryKind.Train : mv == 1;
        return new EntrySpec(m.Name, kind, spec, wrt, mods, parameters.Select(p => p.Name).ToEquatable(), ok,
            LocationInfo.From(m.Locations[0]), specLoc, wrtLoc) { Extra = extra, Declared = Declaration(m), Training = training };
    }
}
