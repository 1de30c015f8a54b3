using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GraphNet.Generators;

/// <summary>Every diagnostic the generator reports. Ids are stable and never reused; each has a page under docs/diagnostics/.</summary>
public static class DiagnosticDescriptors
{
    private const string Category = "GraphNet";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    public static readonly DiagnosticDescriptor ModelNotPartial = Error("GN0001", "Model class must be partial",
        "Model class '{0}' must be declared 'partial' so GraphNet can add its generated members: write 'partial class {0}'");

    public static readonly DiagnosticDescriptor SpecNotFound = Error("GN0002", "Entry point names a missing spec method",
        "Entry point '{0}' names spec method '{1}', which '{2}' does not declare: name a method of the model that returns Tensor, for example nameof(Loss)");

    public static readonly DiagnosticDescriptor WrtNotFound = Error("GN0003", "Gradient with respect to a missing input",
        "Entry point '{0}' asks for the gradient with respect to '{1}', but spec method '{2}' has no input of that name; its inputs are: {3}");

    public static readonly DiagnosticDescriptor ShapeMismatch = Error("GN0004", "Shape mismatch",
        "Shape mismatch in '{0}': {1}");

    public static readonly DiagnosticDescriptor WrongRank = Error("GN0005", "Wrong rank",
        "Wrong rank in '{0}': {1}");

    public static readonly DiagnosticDescriptor UnknownDim = Error("GN0006", "Unknown dim name",
        "Parameter '{0}' uses dim '{1}', which is not a const int of the model: parameters have constant shapes; write a number or declare 'const int {1} = ...;'");

    public static readonly DiagnosticDescriptor Unsupported = Error("GN0007", "Unsupported construct in a spec method",
        "Spec method '{0}' uses {1}, which GraphNet cannot compile: {2}");

    public static readonly DiagnosticDescriptor SignatureMismatch = Error("GN0008", "Entry point signature does not match its spec method",
        "Entry point '{0}' must be declared as '{1}' to match spec method '{2}'");

    public static readonly DiagnosticDescriptor Recursive = Error("GN0009", "Recursive spec method",
        "Spec method '{0}' calls itself (through '{1}'): spec methods are inlined, so recursion cannot be compiled; write a loop-free expression");

    public static readonly DiagnosticDescriptor LossNotScalar = Error("GN0010", "Loss is not a scalar",
        "Entry point '{0}' differentiates '{1}', which returns shape {2}: a loss must be a scalar; reduce it, for example with .Mean() or Sum(...)");

    public static readonly DiagnosticDescriptor InvalidArgument = Error("GN0011", "Invalid op argument",
        "Invalid argument in '{0}': {1}");

    public static readonly DiagnosticDescriptor MissingShape = Error("GN0012", "Spec input needs a [Shape]",
        "Input '{0}' of spec method '{1}' needs its shape declared: add [Shape(...)] with numbers for fixed dims and names such as \"B\" for dims bound at run time");

    public static readonly DiagnosticDescriptor UnsupportedModel = Error("GN0013", "Model class cannot be compiled in this form",
        "Model class '{0}' is {1}");

    public static readonly DiagnosticDescriptor ReservedName = Error("GN0014", "Member collides with a generated member",
        "Member '{0}' of model '{1}' collides with {2}");

    public static readonly DiagnosticDescriptor InvalidParam = Error("GN0015", "Invalid parameter or buffer field",
        "{0} field '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor InvalidShape = Error("GN0016", "Invalid spec argument",
        "Argument '{0}' of spec method '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor InvalidEntry = Error("GN0017", "Invalid entry point declaration",
        "Entry point '{0}' cannot be generated: {1}");

    public static readonly DiagnosticDescriptor SpecNotTensor = Error("GN0018", "Spec method does not return a tensor",
        "Spec method '{0}' returns {1}: a spec method returns a Tensor computed from its arguments and the model's parameters");

    public static readonly DiagnosticDescriptor MissingModel = Error("GN0019", "Entry point outside a [Model] class",
        "Method '{0}' has [{1}], but class '{2}' is not marked [Model]: add [Model] to the class (and make it partial) so GraphNet generates the entry point");

    public static readonly DiagnosticDescriptor TooLarge = Error("GN0020", "Tensor too large",
        "A value in '{0}' has shape {1}, {2} elements: more than the {3} a tensor can hold");

    public static readonly DiagnosticDescriptor NotConstant = Error("GN0021", "Value must be known at build time",
        "{0} must be known when the model is built, but it is {1}: write it from numbers, consts and config values (module constructor arguments and fields set from them)");

    public static readonly DiagnosticDescriptor ModuleCycle = Error("GN0022", "Module contains itself",
        "Module '{0}' contains itself through {1}: a module tree is built once at build time, so a module cannot hold a module of its own type, directly or through others");

    public static readonly DiagnosticDescriptor TupleMismatch = Error("GN0023", "Tuple arity or element mismatch",
        "Tuple mismatch in '{0}': {1}");

    public static readonly DiagnosticDescriptor ModuleEntry = Error("GN0024", "Module declares an entry point",
        "Module '{0}' declares entry point '{1}' ([{2}]): modules have no entry points of their own; declare it on the [Model] that holds the module and call the module's spec method from the model's");

    public static readonly DiagnosticDescriptor InvalidModule = Error("GN0025", "Module cannot be used",
        "Module '{0}' cannot be used: {1}");

    public static readonly DiagnosticDescriptor ModelTooLarge = Error("GN0026", "Model too large to compile",
        "'{0}' unrolls to {1} graph nodes, more than the {2} GraphNet compiles in one entry point: use fewer or smaller blocks, or loops over fewer constant steps");

    public static readonly DiagnosticDescriptor LossBroadcast = new("GN0027", "Loss operands broadcast against each other",
        "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: "docs/diagnostics/GN0027.md");

    public static readonly DiagnosticDescriptor InternalError = Error("GN9001", "GraphNet generator internal error",
        "GraphNet could not compile model '{0}' because of an internal error: {1}. Please report this with the model's source.");

    public static readonly IReadOnlyDictionary<string, DiagnosticDescriptor> ById = new[]
    {
        ModelNotPartial, SpecNotFound, WrtNotFound, ShapeMismatch, WrongRank, UnknownDim, Unsupported,
        SignatureMismatch, Recursive, LossNotScalar, InvalidArgument, MissingShape, UnsupportedModel, ReservedName,
        InvalidParam, InvalidShape, InvalidEntry, SpecNotTensor, MissingModel, TooLarge, NotConstant, ModuleCycle,
        TupleMismatch, ModuleEntry, InvalidModule, ModelTooLarge, LossBroadcast, InternalError,
    }.ToDictionary(d => d.Id);

    public static DiagnosticInfo Info(DiagnosticDescriptor d, LocationInfo? loc, params string[] args) => new(d.Id, args.ToEquatable(), loc);

    /// <summary>The Roslyn diagnostic, its location looked up in the parse's table of source spans.</summary>
    public static Diagnostic Create(DiagnosticInfo info, EquatableArray<SourceSpan> locations)
    {
        Location? At(LocationInfo? l) => l is { } x && x.Id >= 0 && x.Id < locations.Count ? locations[x.Id].ToLocation() : null;
        var also = info.Also.Select(At).OfType<Location>().ToList();
        return Diagnostic.Create(ById[info.Id], At(info.Location), also, info.Args.Cast<object>().ToArray());
    }
}
