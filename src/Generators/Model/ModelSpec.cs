using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using System.Collections.Generic;

namespace GraphNet.Generators;

// The equatable model of a [Model] class. Caching contract: these records hold only strings,
// numbers, enums and equatable arrays (never ISymbol, SyntaxNode, Location or Compilation), so the
// pipeline step after parsing re-runs only when the model's content changes. A test walks these
// types by reflection to keep it so.

/// <summary>A source position as plain data (file, span, line span).</summary>
public sealed record SourceSpan(string FilePath, int Start, int Length, int StartLine, int StartChar, int EndLine, int EndChar)
{
    public static SourceSpan From(Location loc)
    {
        var line = loc.GetLineSpan();
        return new SourceSpan(line.Path ?? "", loc.SourceSpan.Start, loc.SourceSpan.Length,
            line.StartLinePosition.Line, line.StartLinePosition.Character, line.EndLinePosition.Line, line.EndLinePosition.Character);
    }

    public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartChar), new LinePosition(EndLine, EndChar)));
}

/// <summary>
/// A place in a model's source, by number: the index of its <see cref="SourceSpan"/> in the parse's
/// <see cref="LocationTable"/>. The spec holds these numbers rather than positions, so a comment or a blank
/// line (which moves positions but not numbers) leaves the spec equal and the compile step cached; the
/// diagnostics step maps numbers back to the current positions.
/// </summary>
public sealed record LocationInfo(int Id);

/// <summary>Collects the source spans of one model's parse, numbered in the order they are met.</summary>
public sealed class LocationTable
{
    private readonly List<SourceSpan> _spans = new();

    public LocationInfo Add(Location loc)
    {
        _spans.Add(SourceSpan.From(loc));
        return new LocationInfo(_spans.Count - 1);
    }

    public LocationInfo Add(SyntaxNode node) => Add(node.GetLocation());

    public LocationInfo Add(SyntaxToken token) => Add(token.GetLocation());

    public EquatableArray<SourceSpan> ToEquatable() => _spans.ToEquatable();
}

/// <summary>A diagnostic as plain data: descriptor id, message arguments, location.</summary>
public sealed record DiagnosticInfo(string Id, EquatableArray<string> Args, LocationInfo? Location);

/// <summary>A [Param] field: name, dims (numbers, or names of const ints), initializer member name.</summary>
public sealed record ParamSpec(string Name, EquatableArray<string> Shape, string Init, LocationInfo Location)
{
    /// <summary>A [Buffer] field (model state, not trained) rather than a [Param].</summary>
    public bool IsBuffer { get; init; }

    /// <summary>The field's declaration has an error (reported); spec methods that read it are not compiled.</summary>
    public bool IsBroken { get; init; }
}

/// <summary>A tensor argument of a spec method with its [Shape] dims (empty and not declared: no [Shape]).</summary>
public sealed record InputSpec(string Name, EquatableArray<string> Shape, bool HasShape, LocationInfo Location);

/// <summary>A statement of a spec method: <c>var Local = Value;</c> or, with no local, <c>return Value;</c>.</summary>
public sealed record Stmt(string? Local, Expr Value, LocationInfo Location);

/// <summary>
/// A spec method: plain C# over Tensor that the generator compiles. <see cref="Key"/> tells overloads apart
/// (name and parameter types); calls and entry points refer to the method by it.
/// </summary>
public sealed record SpecMethod(string Name, EquatableArray<InputSpec> Inputs, EquatableArray<Stmt> Body, LocationInfo Location)
{
    public string Key { get; init; } = Name;

    /// <summary>The return type as written when it is not Tensor ("bool", "Tensor[]"); null for Tensor.</summary>
    public string? OtherReturnType { get; init; }
}

/// <summary>A partial method the generator implements.</summary>
public sealed record EntrySpec(
    string Name, EntryKind Kind, string Spec, string? Wrt, string Modifiers, EquatableArray<string> ParamNames,
    bool ReturnTypeOk, LocationInfo Location, LocationInfo SpecArgLocation, LocationInfo? WrtArgLocation)
{
    /// <summary>The trailing argument after the spec's inputs: the optimizer of [Train], the direction v of [HessianVectorProduct].</summary>
    public string? Extra { get; init; }

    /// <summary>Whether layers run in training mode (batch statistics, dropout masks).</summary>
    public bool Training { get; init; }

    /// <summary>The user's own declaration (return type, name, parameters, fully qualified), for the body of an entry that failed.</summary>
    public string Declared { get; init; } = "";

    /// <summary>A partial definition without an implementation: the generated part can give it a body.</summary>
    public bool Implementable { get; init; }

    /// <summary>The declaration itself is wrong (GN0017 reported): the entry is not compiled.</summary>
    public bool Invalid { get; init; }
}

public sealed record ModelSpec(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string MetadataName,
    EquatableArray<ParamSpec> Params,
    EquatableArray<SpecMethod> Methods,
    EquatableArray<EntrySpec> Entries,
    EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>The generated file's name: unique per model type, made of characters every file system accepts.</summary>
    public string HintName { get; init; } = "";

    /// <summary>The class declaration line the generated part repeats ("partial class Name"); empty when no part can be added.</summary>
    public string Declaration { get; init; } = "";

    /// <summary>
    /// Whether the generator may add a part to this class at all (the class and every containing type are partial,
    /// it is not file-local): if so, entry points that fail still get bodies, so the user sees only GN errors.
    /// </summary>
    public bool CanAddPart { get; init; }
}

/// <summary>A parsed model with the source spans its spec refers to by number (<see cref="LocationInfo"/>).</summary>
public sealed record ParsedModel(ModelSpec Spec, EquatableArray<SourceSpan> Locations);

/// <summary>What the compile step produces: source (null when errors stop it) and diagnostics.</summary>
public sealed record CompiledModel(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
