using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace GraphNet.Generators;

// The equatable model of a [Model] class. Caching contract: these records hold only strings,
// numbers, enums and equatable arrays (never ISymbol, SyntaxNode, Location or Compilation), so the
// pipeline step after parsing re-runs only when the model's content changes. A test walks these
// types by reflection to keep it so.

/// <summary>A source position as plain data (file, span, line span).</summary>
public sealed record LocationInfo(string FilePath, int Start, int Length, int StartLine, int StartChar, int EndLine, int EndChar)
{
    public static LocationInfo From(Location loc)
    {
        var line = loc.GetLineSpan();
        return new LocationInfo(line.Path ?? "", loc.SourceSpan.Start, loc.SourceSpan.Length,
            line.StartLinePosition.Line, line.StartLinePosition.Character, line.EndLinePosition.Line, line.EndLinePosition.Character);
    }

    public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

    public Location ToLocation() => Location.Create(FilePath, new TextSpan(Start, Length),
        new LinePositionSpan(new LinePosition(StartLine, StartChar), new LinePosition(EndLine, EndChar)));
}

/// <summary>A diagnostic as plain data: descriptor id, message arguments, location.</summary>
public sealed record DiagnosticInfo(string Id, EquatableArray<string> Args, LocationInfo? Location);

/// <summary>A [Param] field: name, dims (numbers, or names of const ints), initializer member name.</summary>
public sealed record ParamSpec(string Name, EquatableArray<string> Shape, string Init, LocationInfo Location)
{
    /// <summary>A [Buffer] field (model state, not trained) rather than a [Param].</summary>
    public bool IsBuffer { get; init; }
}

/// <summary>A tensor argument of a spec method with its [Shape] dims (empty and not declared: no [Shape]).</summary>
public sealed record InputSpec(string Name, EquatableArray<string> Shape, bool HasShape, LocationInfo Location);

/// <summary>A statement of a spec method: <c>var Local = Value;</c> or, with no local, <c>return Value;</c>.</summary>
public sealed record Stmt(string? Local, Expr Value, LocationInfo Location);

/// <summary>A spec method: plain C# over Tensor that the generator compiles.</summary>
public sealed record SpecMethod(string Name, EquatableArray<InputSpec> Inputs, EquatableArray<Stmt> Body, LocationInfo Location);

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
}

public sealed record ModelSpec(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string ClassName,
    string MetadataName,
    EquatableArray<ParamSpec> Params,
    EquatableArray<SpecMethod> Methods,
    EquatableArray<EntrySpec> Entries,
    EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>What the compile step produces: source (null when errors stop it) and diagnostics.</summary>
public sealed record CompiledModel(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
