using System.Collections.Generic;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// A parameter or buffer of the built model: <see cref="Graph"/> is its name in the graph and its C# field in
/// the generated part (a model's own field keeps its name; a module's gets a generated one), <see cref="Path"/>
/// its hierarchical name (PyTorch's state_dict convention, "blocks.3.attn.q.weight").
/// </summary>
internal sealed record ParamSlot(string Graph, string Path, Shape Shape, string Init, int? FanIn, bool IsBuffer, bool Declared);

/// <summary>One module (or the model itself) in the tree built at build time: its config values, parameters and sub-modules.</summary>
internal sealed class Instance
{
    public Instance(ModuleSpec spec, string path, string suffix = "") { Spec = spec; Path = path; Suffix = suffix; }

    public ModuleSpec Spec { get; }

    /// <summary>"" for the model; "blocks.3." for a module (the prefix of its members' names).</summary>
    public string Path { get; }

    /// <summary>What [Flatten] sub-modules append to each member's name ("_l0"); "" otherwise.</summary>
    public string Suffix { get; }

    public Dictionary<string, Value> Config { get; } = new();

    public Dictionary<string, ParamSlot> Params { get; } = new();

    /// <summary>Sub-module fields: a <see cref="ModuleValue"/> or an <see cref="ArrayValue"/> of them.</summary>
    public Dictionary<string, Value> Subs { get; } = new();

    /// <summary>How the instance is named in messages: its path, or the model's class name.</summary>
    public string Describe(string model) => Path.Length == 0 ? model : $"'{Path.TrimEnd('.')}' ({Spec.Name})";
}

internal sealed record ModuleValue(Instance Instance) : Value;
