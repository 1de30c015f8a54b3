using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet;

/// <summary>Where a model runs. The CPU is the default and needs no native library.</summary>
public sealed class Device
{
    private Device(string name) { Name = name; }

    /// <summary>The device's name: "cpu".</summary>
    public string Name { get; }

    /// <summary>The CPU, where generated models run by default.</summary>
    public static Device Cpu { get; } = new("cpu");

    /// <summary>The device's <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}

/// <summary>A named trainable tensor and the buffer its gradient is written to.</summary>
public sealed class Parameter
{
    /// <summary>A parameter <paramref name="name"/> whose gradient goes to <paramref name="grad"/>; the two shapes must match (else <see cref="ArgumentException"/>).</summary>
    public Parameter(string name, Tensor value, Tensor grad)
    {
        if (!value.HasShape(grad.Shape)) throw new ArgumentException($"Parameter '{name}': gradient shape {Tensor.Format(grad.Shape)} differs from value shape {Tensor.Format(value.Shape)}.");
        Name = name; Value = value; Grad = grad;
    }

    /// <summary>The hierarchical name, for example "blocks.3.attn.in_proj_weight".</summary>
    public string Name { get; }

    /// <summary>The values, updated in place by optimizers and checkpoint loads.</summary>
    public Tensor Value { get; }

    /// <summary>The buffer that <c>[Gradients]</c> and <c>[Train]</c> entries write the gradient into (same shape as <see cref="Value"/>).</summary>
    public Tensor Grad { get; }

    /// <summary>The name and shape: "fc1.weight [256, 784]".</summary>
    public override string ToString() => $"{Name} {Tensor.Format(Value.Shape)}";
}

/// <summary>The parameters of a model in declaration order.</summary>
public sealed class ParameterSet : IReadOnlyList<Parameter>
{
    private readonly Parameter[] _items;

    /// <summary>A set of <paramref name="items"/> in that order (the array is kept, not copied).</summary>
    public ParameterSet(params Parameter[] items) { _items = items; }

    /// <summary>The number of parameters (not of scalar values: see <see cref="ElementCount"/>).</summary>
    public int Count => _items.Length;

    /// <summary>The parameter at <paramref name="index"/> in declaration order.</summary>
    public Parameter this[int index] => _items[index];

    /// <summary>The parameter named <paramref name="name"/>; <see cref="KeyNotFoundException"/> (listing the names) when there is none.</summary>
    public Parameter this[string name] => Array.Find(_items, p => p.Name == name)
        ?? throw new KeyNotFoundException($"No parameter named '{name}'. Parameters: {string.Join(", ", Array.ConvertAll(_items, p => p.Name))}.");

    /// <summary>Total number of scalar parameters.</summary>
    public long ElementCount { get { long n = 0; foreach (var p in _items) n += p.Value.Length; return n; } }

    /// <summary>Copies every parameter's values, in declaration order, into one flat vector (the layout of Hessian entries).</summary>
    public Tensor Flatten()
    {
        var flat = new Tensor(checked((int)ElementCount));
        int o = 0;
        foreach (var p in _items) { p.Value.Data.CopyTo(flat.Data, o); o += p.Value.Length; }
        return flat;
    }

    /// <summary>Copies every parameter's gradient, in declaration order, into one flat vector.</summary>
    public Tensor FlattenGradients()
    {
        var flat = new Tensor(checked((int)ElementCount));
        int o = 0;
        foreach (var p in _items) { p.Grad.Data.CopyTo(flat.Data, o); o += p.Grad.Length; }
        return flat;
    }

    /// <summary>Sets every parameter from a flat vector laid out as by <see cref="Flatten"/>.</summary>
    public void Assign(Tensor flat)
    {
        if (flat.Rank != 1 || flat.Length != ElementCount)
            throw new ArgumentException($"Expected a flat vector of {ElementCount} values ([{ElementCount}]), got shape {Tensor.Format(flat.Shape)}.", nameof(flat));
        int o = 0;
        foreach (var p in _items) { Array.Copy(flat.Data, o, p.Value.Data, 0, p.Value.Length); o += p.Value.Length; }
    }

    /// <summary>
    /// The parameters of the sub-module at <paramref name="path"/> ("generator", "blocks.3"): those named
    /// <c>path</c> or starting with <c>path.</c>, as a set an optimizer can step on its own.
    /// </summary>
    public ParameterSet Under(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var found = Array.FindAll(_items, p => p.Name == path || p.Name.StartsWith(path + ".", StringComparison.Ordinal));
        if (found.Length == 0)
            throw new KeyNotFoundException($"No parameters under '{path}'. Top-level names: {string.Join(", ", _items.Select(p => p.Name.Split('.')[0]).Distinct())}.");
        return new ParameterSet(found);
    }

    /// <summary>The parameters that <paramref name="select"/> accepts, as a set an optimizer can step on its own.</summary>
    public ParameterSet Where(Func<Parameter, bool> select) => new(Array.FindAll(_items, p => select(p)));

    /// <summary>The parameters in declaration order.</summary>
    public IEnumerator<Parameter> GetEnumerator() => ((IEnumerable<Parameter>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
