using System;
using System.Collections.Generic;

namespace GraphNet;

/// <summary>
/// Parameter groups with separate optimizers: each parameter goes to the first group whose selector
/// accepts it (for example a GAN's generator and discriminator, or a BYOL online network, selected by module
/// with <see cref="Under"/>). A parameter that no group accepts is an error that names it.
/// </summary>
public sealed class ParameterGroups : Optimizer
{
    private readonly (Func<Parameter, bool> Select, Optimizer Optimizer)[] _groups;
    private IReadOnlyList<Parameter>? _lastInput;
    private List<Parameter>[] _split = [];

    /// <summary>
    /// Groups tried in order (build them with <see cref="Prefix"/> or <see cref="Under"/>, or give any selector); no groups
    /// throws <see cref="ArgumentException"/>.
    /// </summary>
    public ParameterGroups(params (Func<Parameter, bool> Select, Optimizer Optimizer)[] groups)
    {
        if (groups.Length == 0) throw new ArgumentException("Give at least one (selector, optimizer) group.", nameof(groups));
        _groups = groups;
    }

    /// <summary>A group of the parameters whose names start with <paramref name="prefix"/>.</summary>
    public static (Func<Parameter, bool>, Optimizer) Prefix(string prefix, Optimizer optimizer) =>
        (p => p.Name.StartsWith(prefix, StringComparison.Ordinal), optimizer);

    /// <summary>
    /// A group of the parameters of the sub-module at <paramref name="path"/> ("generator", "blocks.3"): named
    /// <c>path</c> or starting with <c>path.</c>, so "block" does not also take "blocks.0.weight".
    /// </summary>
    public static (Func<Parameter, bool>, Optimizer) Under(string path, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (p => p.Name == path || p.Name.StartsWith(path + ".", StringComparison.Ordinal), optimizer);
    }

    /// <summary>The groups' optimizers, in group order.</summary>
    public IReadOnlyList<Optimizer> Optimizers => Array.ConvertAll(_groups, g => g.Optimizer);

    /// <summary>
    /// Steps each group's optimizer on the parameters it selected (a group with none is skipped). A parameter that no group
    /// accepts throws <see cref="ArgumentException"/> naming it.
    /// </summary>
    public override void Step(IReadOnlyList<Parameter> parameters)
    {
        var split = Split(parameters);
        for (int i = 0; i < _groups.Length; i++)
            if (split[i].Count > 0) _groups[i].Optimizer.Step(split[i]);
        Steps++;
    }

    /// <summary>As <see cref="Step(IReadOnlyList{Parameter})"/>, passing <paramref name="rows"/> on to each group's optimizer.</summary>
    public override void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<GradientRows> rows)
    {
        var split = Split(parameters);
        for (int i = 0; i < _groups.Length; i++)
            if (split[i].Count > 0) _groups[i].Optimizer.Step(split[i], rows);
        Steps++;
    }

    /// <summary>The state of every group's optimizer for the parameters it selected, named as each optimizer names it.</summary>
    public override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters)
    {
        var split = Split(parameters);
        for (int i = 0; i < _groups.Length; i++)
            foreach (var kv in _groups[i].Optimizer.State(split[i]))
                yield return kv;
    }

    /// <summary>Restores the step count of this optimizer and of every group's optimizer.</summary>
    public override void RestoreSteps(long steps)
    {
        base.RestoreSteps(steps);
        foreach (var g in _groups) g.Optimizer.RestoreSteps(steps);
    }

    /// <summary>Splits once per distinct parameter list (a model's set is one object), so steady-state steps allocate nothing.</summary>
    private List<Parameter>[] Split(IReadOnlyList<Parameter> parameters)
    {
        if (ReferenceEquals(parameters, _lastInput)) return _split;
        var split = new List<Parameter>[_groups.Length];
        for (int i = 0; i < split.Length; i++) split[i] = new List<Parameter>();
        foreach (var p in parameters)
        {
            int g = Array.FindIndex(_groups, x => x.Select(p));
            if (g < 0) throw new ArgumentException($"Parameter '{p.Name}' {Tensor.Format(p.Value.Shape)} belongs to no parameter group.", nameof(parameters));
            split[g].Add(p);
        }
        _lastInput = parameters;
        return _split = split;
    }
}
