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
public sealed record DiagnosticInfo(string Id, EquatableArray<string> Args, LocationInfo? Location)
{
    /// <summary>More places the diagnostic refers to: the call sites of the module a shape error happened in.</summary>
    public EquatableArray<LocationInfo> Also { get; init; } = EquatableArray<LocationInfo>.Empty;
}

/// <summary>A [Param] field: name, dims (numbers, or names of const ints), initializer member name.</summary>
public sealed record ParamSpec(string Name, EquatableArray<string> Shape, string Init, LocationInfo Location)
{
    /// <summary>The fan-in for <c>Init.UniformFanIn</c> on a vector (a bias): a number or a config name; null: from the shape.</summary>
    public string? FanIn { get; init; }

    /// <summary>A [Buffer] field (model state, not trained) rather than a [Param].</summary>
    public bool IsBuffer { get; init; }

    /// <summary>The field's declaration has an error (reported); spec methods that read it are not compiled.</summary>
    public bool IsBroken { get; init; }
}

/// <summary>A tensor argument of a spec method with its [Shape] dims (empty and not declared: no [Shape]).</summary>
public sealed record InputSpec(string Name, EquatableArray<string> Shape, bool HasShape, LocationInfo Location)
{
    /// <summary>"float" or "int" for a scalar argument (a run-time value, rank 0 in the graph); "bool" for a compile-time flag of a helper; null for a tensor.</summary>
    public string? ScalarType { get; init; }
}

/// <summary>A statement of a spec method. Loops and conditions are resolved at build time (unrolled, or one branch kept).</summary>
public abstract record Stmt(LocationInfo Location);

/// <summary><c>var Local = Value;</c>, <c>Local = Value;</c> or a compound assignment (<c>x += v</c> as <c>x = x + v</c>).</summary>
public sealed record AssignStmt(string Local, Expr Value, LocationInfo Location) : Stmt(Location);

/// <summary><c>Local[Index] = Value;</c>: sets an element of a local array of tensors.</summary>
public sealed record ElementAssignStmt(string Local, Expr Index, Expr Value, LocationInfo Location) : Stmt(Location);

/// <summary><c>field = value</c> for a [Param] or [Buffer] field: an update an [Update] entry commits after its computation.</summary>
public sealed record FieldAssignStmt(string Field, Expr Value, LocationInfo Location) : Stmt(Location);

/// <summary><c>return Value;</c> (a tuple is an <see cref="ArrayExpr"/>).</summary>
public sealed record ReturnStmt(Expr Value, LocationInfo Location) : Stmt(Location);

/// <summary><c>var (a, b) = Value;</c> or <c>(a, b) = Value;</c>; an empty name is a discard.</summary>
public sealed record DeconstructStmt(EquatableArray<string> Locals, Expr Value, LocationInfo Location) : Stmt(Location);

/// <summary><c>for (var Var = Start; Condition; Var = Next) Body</c> over compile-time ints: unrolled.</summary>
public sealed record ForStmt(string Var, Expr Start, Expr Condition, Expr Next, EquatableArray<Stmt> Body, LocationInfo Location) : Stmt(Location);

/// <summary><c>foreach (var Var in Collection) Body</c> over a module array or an array of tensors: unrolled.</summary>
public sealed record ForeachStmt(string Var, Expr Collection, EquatableArray<Stmt> Body, LocationInfo Location) : Stmt(Location);

/// <summary><c>if (Condition) Then else Else</c> on a compile-time condition: one branch is kept.</summary>
public sealed record IfStmt(Expr Condition, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, LocationInfo Location) : Stmt(Location);

/// <summary>
/// A spec method: plain C# over Tensor that the generator compiles. <see cref="Key"/> tells overloads apart
/// (name and parameter types); calls and entry points refer to the method by it.
/// </summary>
public sealed record SpecMethod(string Name, EquatableArray<InputSpec> Inputs, EquatableArray<Stmt> Body, LocationInfo Location)
{
    public string Key { get; init; } = Name;

    /// <summary>The return type as written when it is neither Tensor nor a tuple of tensors ("bool", "Tensor[]"); null otherwise.</summary>
    public string? OtherReturnType { get; init; }

    /// <summary>The number of tensors a tuple-returning method returns (<c>(Tensor h, Tensor c)</c>); 0 for one Tensor.</summary>
    public int TupleArity { get; init; }
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

    /// <summary>An [Update] entry: a forward pass that commits the spec's assignments to fields.</summary>
    public bool Commits { get; init; }

    /// <summary>[Train(Then = ...)]: the spec method run as an update after each optimizer step.</summary>
    public string? Then { get; init; }

    /// <summary>[Train(Parameters = ...)]: the sub-modules or [Param] fields the step trains (comma-separated); null for all.</summary>
    public string? Trains { get; init; }

    /// <summary>The user's own declaration (return type, name, parameters, fully qualified), for the body of an entry that failed.</summary>
    public string Declared { get; init; } = "";

    /// <summary>A partial definition without an implementation: the generated part can give it a body.</summary>
    public bool Implementable { get; init; }

    /// <summary>The declaration itself is wrong (GN0017 reported): the entry is not compiled.</summary>
    public bool Invalid { get; init; }

    /// <summary>The types of <see cref="ParamNames"/>: "Tensor", "float" or "int" (scalars reach the kernels as run-time values), or "other".</summary>
    public EquatableArray<string> ParamTypes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>How many tensors a [Compile] entry returns as a tuple; 0 for one Tensor.</summary>
    public int ReturnArity { get; init; }

    /// <summary>The return type as declared, fully qualified (a tuple keeps its element names).</summary>
    public string ReturnType { get; init; } = "";
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

    /// <summary>Config values of the model: fields of type int, float or bool with constant initializers (flags, sizes).</summary>
    public EquatableArray<ConfigSpec> Config { get; init; } = EquatableArray<ConfigSpec>.Empty;

    /// <summary>The model's sub-module fields.</summary>
    public EquatableArray<SubmoduleSpec> Submodules { get; init; } = EquatableArray<SubmoduleSpec>.Empty;

    /// <summary>Every module type the model uses, directly or through other modules, by full metadata name.</summary>
    public EquatableArray<ModuleSpec> Modules { get; init; } = EquatableArray<ModuleSpec>.Empty;

    /// <summary>
    /// Whether the generator may add a part to this class at all (the class and every containing type are partial,
    /// it is not file-local): if so, entry points that fail still get bodies, so the user sees only GN errors.
    /// </summary>
    public bool CanAddPart { get; init; }
}

/// <summary>
/// A config value of a module or model: a constructor argument (<see cref="IsArgument"/>, with its default as
/// <see cref="Value"/> when it has one) or a field initialized from constants and other config values.
/// Type is "int", "float" or "bool".
/// </summary>
public sealed record ConfigSpec(string Name, string Type, Expr? Value, LocationInfo Location)
{
    public bool IsArgument { get; init; }
}

/// <summary><c>new Type(args)</c> of a sub-module, its constructor arguments in parameter order (defaults filled in).</summary>
public sealed record NewSpec(string Type, EquatableArray<Expr> Args, LocationInfo Location);

/// <summary>
/// A sub-module field: one module (<see cref="Items"/> has one element), an array written out
/// (<c>new Block[] { new(...), new(...) }</c>), or <c>Modules.Repeat(Count, IndexVar => new T(...))</c>.
/// </summary>
public sealed record SubmoduleSpec(string Name, bool IsArray, EquatableArray<NewSpec> Items, Expr? Count, string? IndexVar, LocationInfo Location)
{
    /// <summary>[Flatten(suffix)]: the sub-module's members are named in its holder's namespace with this suffix ("{i}": the array index); null: under the field's name.</summary>
    public string? Suffix { get; init; }

    /// <summary>The suffix of element <paramref name="index"/>.</summary>
    public string SuffixOf(int index) => (Suffix ?? "").Replace("{i}", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// A [Module] class: config values, parameters and buffers (dims may name config values), sub-modules and
/// spec methods. Read from source in the same compilation or, across an assembly boundary, from the
/// serialized spec the generator stores on the compiled class (<c>[CompiledModule]</c>).
/// </summary>
public sealed record ModuleSpec(
    string TypeName, string Name, EquatableArray<ConfigSpec> Config, EquatableArray<ParamSpec> Params,
    EquatableArray<SubmoduleSpec> Submodules, EquatableArray<SpecMethod> Methods, LocationInfo Location)
{
    /// <summary>The module's own declaration has errors (reported where it is declared): models that use it are not compiled.</summary>
    public bool HasErrors { get; init; }
}

/// <summary>A parsed model with the source spans its spec refers to by number (<see cref="LocationInfo"/>).</summary>
public sealed record ParsedModel(ModelSpec Spec, EquatableArray<SourceSpan> Locations);

/// <summary>What the compile step produces: source (null when errors stop it) and diagnostics.</summary>
public sealed record CompiledModel(string HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
