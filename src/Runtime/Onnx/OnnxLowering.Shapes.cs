using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using GraphNet.Compiler;

namespace GraphNet.Onnx;

/// <summary>
/// Inputs, constants and shapes. A symbolic dim (B, T, B*T, T-1) is computed once in the main graph as a [1] int64
/// tensor from the shape of the input that binds it (an <c>int</c> argument binds its own), and loop bodies read it
/// from there (ONNX subgraphs see the enclosing graph's values).
/// </summary>
internal sealed partial class OnnxLowering
{
    private readonly Dictionary<string, Func<string>> _symbols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _memo = new(StringComparer.Ordinal);

    /// <summary>
    /// A graph input: a float tensor with its symbolic dims as named dynamic axes, or an int64 scalar for an <c>int</c> argument
    /// that sizes a loop. An argument named like a parameter is renamed <c>name:input</c>.
    /// </summary>
    private void DeclareInput(Node input)
    {
        var name = _leaf(input.Attrs.Name) is null ? input.Attrs.Name : input.Attrs.Name + ":input"; // ONNX reads an input named like an initializer as its override
        if (input.Shape.Rank == 0 && input.Attrs.DimValue.IsSymbol)
        {
            _top.Inputs.Add(new OnnxValueInfo(name, OnnxType.Int64, Array.Empty<OnnxDim>()));
            _names[input] = Cast(name, OnnxType.Float);
            var symbol = input.Attrs.DimValue.Symbols;
            if (!_symbols.ContainsKey(symbol)) _symbols[symbol] = () => Op("Reshape", name, Ints(1)).Y;
            return;
        }
        _top.Inputs.Add(new OnnxValueInfo(name, OnnxType.Float, Signature(input.Shape)));
        _names[input] = name;
        for (int axis = 0; axis < input.Shape.Rank; axis++)
            if (input.Shape[axis] is { IsSymbol: true } d && !_symbols.ContainsKey(d.Symbols))
            {
                long at = axis;
                _symbols[d.Symbols] = () => Op("Shape", name).With("start", at).With("end", at + 1).Y;
            }
    }

    /// <summary>Runs <paramref name="make"/> once per key, adding its nodes to the main graph (where every scope can read them).</summary>
    private string Memo(string key, Func<string> make)
    {
        if (_memo.TryGetValue(key, out var name)) return name;
        var scope = _scope;
        _scope = _top;
        try { return _memo[key] = make(); }
        finally { _scope = scope; }
    }

    /// <summary>A dim as a [1] int64 tensor: a constant, or the sum of its monomials computed from the symbols' tensors.</summary>
    private string DimTensor(Dim d) => d.IsConstant ? Ints(d.Coef) : Memo("dim " + d, () =>
    {
        string? sum = null;
        foreach (var t in d.Terms.OrderBy(t => t.Coef < 0))
        {
            string? product = null;
            foreach (var s in t.SymbolList)
            {
                var v = Memo("sym " + s, _symbols.TryGetValue(s, out var bind) ? bind
                    : throw new InvalidOperationException($"ExportOnnx: entry '{_entry}' uses the dim {s}, which no input's shape binds."));
                product = product is null ? v : Op("Mul", product, v).Y;
            }
            long coef = Math.Abs(t.Coef);
            var term = product is null ? Ints(coef) : coef == 1 ? product : Op("Mul", product, Ints(coef)).Y;
            sum = sum is null ? t.Coef < 0 ? Op("Neg", term).Y : term : Op(t.Coef < 0 ? "Sub" : "Add", sum, term).Y;
        }
        return sum!;
    });

    /// <summary>A dim as an int64 scalar (a loop's trip count, a range's end).</summary>
    private string DimScalar(Dim d) => Memo("scalar " + d, () => Op("Reshape", DimTensor(d), Ints()).Y);

    /// <summary>Dims as a 1-D int64 tensor (a shape, pad widths): an initializer when all are constants, else a concatenation.</summary>
    private string ShapeTensor(IReadOnlyList<Dim> dims)
    {
        if (dims.All(d => d.IsConstant)) return Ints(dims.Select(d => d.Coef).ToArray());
        return Memo("shape " + string.Join(",", dims), () =>
        {
            var parts = new List<string>();
            var run = new List<long>();
            foreach (var d in dims)
            {
                if (d.IsConstant) { run.Add(d.Coef); continue; }
                if (run.Count > 0) { parts.Add(Ints(run.ToArray())); run.Clear(); }
                parts.Add(DimTensor(d));
            }
            if (run.Count > 0) parts.Add(Ints(run.ToArray()));
            return Op("Concat", parts.ToArray()).With("axis", 0L).Y;
        });
    }

    /// <summary>A 1-D int64 initializer.</summary>
    private string Ints(params long[] values) => Constant("ints " + string.Join(",", values), "ints", OnnxType.Int64, new long[] { values.Length }, Bytes<long>(values));

    private string Int64Scalar(long value) => Constant("int " + value, "int", OnnxType.Int64, Array.Empty<long>(), Bytes<long>(new[] { value }));

    private string FloatScalar(float value) => Constant("float " + BitConverter.SingleToInt32Bits(value), "float", OnnxType.Float, Array.Empty<long>(), Bytes(new[] { value }));

    private string True => Constant("true", "true", OnnxType.Bool, Array.Empty<long>(), new byte[] { 1 });

    private string FloatInitializer(string hint, float[] values, long[] dims)
    {
        var name = Fresh(hint);
        _top.Initializers.Add(new OnnxTensor(name, OnnxType.Float, dims, Bytes(values)));
        return name;
    }

    private string Constant(string key, string hint, OnnxType type, long[] dims, byte[] raw)
    {
        if (_memo.TryGetValue(key, out var name)) return name;
        _top.Initializers.Add(new OnnxTensor(name = Fresh(hint), type, dims, raw));
        return _memo[key] = name;
    }

    /// <summary>Little-endian bytes, as ONNX's raw_data holds them.</summary>
    private static byte[] Bytes<T>(T[] values) where T : unmanaged =>
        BitConverter.IsLittleEndian ? MemoryMarshal.AsBytes(values.AsSpan()).ToArray()
        : throw new PlatformNotSupportedException("ExportOnnx writes little-endian data and runs on little-endian machines only.");
}
