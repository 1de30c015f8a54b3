using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Compiler;
using GraphNet.Onnx;

namespace GraphNet;

/// <summary>
/// Writes a compiled <c>[Compile]</c> entry point as an ONNX model (opset 17), for ONNX Runtime and the tools around it:
/// the entry's inference graph (the one the generator compiled, before fusion), the model's parameters and buffers as
/// initializers under their hierarchical names (<c>blocks.3.attn.q.weight</c>), the entry's arguments as graph inputs whose
/// symbolic dims are named dynamic axes ("B", "T"), and its result as the output named after the entry (a tuple's elements
/// as <c>Entry.0</c>, <c>Entry.1</c>, ...). An op without an ONNX equivalent (random draws, the linear-algebra routines) is an
/// error naming the op and the entry.
/// </summary>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the files use.</summary>
    public const int Opset = OnnxLowering.Opset;

    /// <summary>Writes <paramref name="entry"/> (a <c>[Compile]</c> entry's name: <c>nameof(model.Predict)</c>) to <paramref name="path"/>, atomically.</summary>
    public static void ExportOnnx(this IModel model, string path, string entry)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, ToOnnx(model, entry));
    }

    /// <summary>The bytes of the ONNX model that <see cref="ExportOnnx"/> writes.</summary>
    public static byte[] ToOnnx(this IModel model, string entry)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entry);
        var graphs = model.EntryGraphs;
        var text = graphs.FirstOrDefault(g => g.Key == entry).Value
            ?? throw new ArgumentException(graphs.Count == 0
                ? $"ExportOnnx: '{model.GetType().Name}' has no [Compile] entry point to export ('{entry}' was asked for): ONNX export writes inference entries."
                : $"ExportOnnx: '{entry}' is not a [Compile] entry point of '{model.GetType().Name}'; its exportable entries: {string.Join(", ", graphs.Select(g => g.Key))}.", nameof(entry));
        var leaves = model.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)).Concat(model.Buffers)
            .GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var graph = OnnxLowering.Lower(GraphCodec.Decode(text), entry, name => leaves.TryGetValue(name, out var t) ? t : null);
        var version = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "";
        return OnnxSerializer.Model(graph, Opset, version, $"{model.GetType().Name}.{entry}, exported by GraphNet");
    }
}
