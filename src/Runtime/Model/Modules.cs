using System;
using System.Collections.Generic;

namespace GraphNet;

/// <summary>
/// A [Module] compiled by GraphNet. The generated part implements it: <see cref="Bind"/> points the module's
/// parameter and buffer fields, and its sub-modules', at the tensors of the model that holds it.
/// </summary>
public interface IModule
{
    /// <summary>Binds this module's fields to <paramref name="tensors"/> by hierarchical name, each prefixed with <paramref name="prefix"/> ("blocks.3.").</summary>
    void Bind(Func<string, Tensor> tensors, string prefix);
}

/// <summary>Helpers for declaring sub-modules.</summary>
public static class Modules
{
    /// <summary>An array of <paramref name="count"/> modules made by <paramref name="create"/>: <c>Block[] blocks = Modules.Repeat(6, () => new Block(256, 4));</c></summary>
    public static T[] Repeat<T>(int count, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return Repeat(count, _ => create());
    }

    /// <summary>An array of <paramref name="count"/> modules, the i-th made by <c>create(i)</c>.</summary>
    public static T[] Repeat<T>(int count, Func<int, T> create)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(create);
        var items = new T[count];
        for (int i = 0; i < count; i++) items[i] = create(i);
        return items;
    }

    /// <summary>A lookup of a model's parameters and buffers by hierarchical name, for <see cref="IModule.Bind"/>.</summary>
    public static Func<string, Tensor> Lookup(ParameterSet parameters, IReadOnlyList<KeyValuePair<string, Tensor>>? buffers = null)
    {
        var all = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var p in parameters) all[p.Name] = p.Value;
        if (buffers is not null) foreach (var b in buffers) all[b.Key] = b.Value;
        return name => all.TryGetValue(name, out var t) ? t
            : throw new KeyNotFoundException($"The model has no parameter or buffer named '{name}'; rebuild the project so the generated code matches the modules.");
    }
}
