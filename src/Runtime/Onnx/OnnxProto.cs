using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GraphNet.Onnx;

/// <summary>The protobuf wire format, as much as ONNX files need: varints, 32-bit floats and length-delimited fields.</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _out = new();

    public byte[] ToArray() => _out.ToArray();

    private void Varint(ulong v)
    {
        while (v >= 0x80) { _out.WriteByte((byte)(v | 0x80)); v >>= 7; }
        _out.WriteByte((byte)v);
    }

    private void Tag(int field, int wire) => Varint((ulong)(field << 3 | wire));

    /// <summary>An int32, int64 or enum field (negative values take ten bytes, as protobuf writes them).</summary>
    public void Int(int field, long v) { Tag(field, 0); Varint(unchecked((ulong)v)); }

    public void Float(int field, float v)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, v);
        _out.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> bytes) { Tag(field, 2); Varint((ulong)bytes.Length); _out.Write(bytes); }

    public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner._out.GetBuffer().AsSpan(0, (int)inner._out.Length));
    }
}

/// <summary>ONNX element types (TensorProto.DataType).</summary>
internal enum OnnxType { Float = 1, Int64 = 7, Bool = 9 }

/// <summary>A tensor's dim in a graph's signature: a number, or a named dynamic axis.</summary>
internal readonly record struct OnnxDim(long Value, string? Param);

internal sealed record OnnxValueInfo(string Name, OnnxType Type, IReadOnlyList<OnnxDim> Dims);

internal sealed record OnnxTensor(string Name, OnnxType Type, long[] Dims, byte[] Raw);

internal sealed class OnnxNode
{
    public OnnxNode(string op, string[] inputs, string[] outputs) { Op = op; Inputs = inputs; Outputs = outputs; }

    public string Op { get; }
    public string[] Inputs { get; }
    public string[] Outputs { get; }

    /// <summary>The first output.</summary>
    public string Y => Outputs[0];

    /// <summary>Attribute values: long, float, string, long[] or <see cref="OnnxGraph"/>.</summary>
    public List<KeyValuePair<string, object>> Attributes { get; } = new();

    public OnnxNode With(string name, object value) { Attributes.Add(new(name, value)); return this; }
}

internal sealed class OnnxGraph
{
    public OnnxGraph(string name) { Name = name; }

    public string Name { get; }
    public List<OnnxNode> Nodes { get; } = new();
    public List<OnnxTensor> Initializers { get; } = new();
    public List<OnnxValueInfo> Inputs { get; } = new();
    public List<OnnxValueInfo> Outputs { get; } = new();
}

/// <summary>Serializes a model with the field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, ...).</summary>
internal static class OnnxSerializer
{
    /// <summary>IR version 8 goes with opset 17 (ONNX 1.12).</summary>
    public const int IrVersion = 8;

    public static byte[] Model(OnnxGraph graph, int opset, string producerVersion, string doc)
    {
        var w = new ProtoWriter();
        w.Int(1, IrVersion);
        w.String(2, "GraphNet");
        w.String(3, producerVersion);
        w.String(6, doc);
        w.Message(7, g => Graph(g, graph));
        w.Message(8, o => { o.String(1, ""); o.Int(2, opset); });
        return w.ToArray();
    }

    private static void Graph(ProtoWriter w, OnnxGraph g)
    {
        foreach (var n in g.Nodes) w.Message(1, m => Node(m, n));
        w.String(2, g.Name);
        foreach (var t in g.Initializers) w.Message(5, m => Tensor(m, t));
        foreach (var v in g.Inputs) w.Message(11, m => ValueInfo(m, v));
        foreach (var v in g.Outputs) w.Message(12, m => ValueInfo(m, v));
    }

    private static void Node(ProtoWriter w, OnnxNode n)
    {
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(4, n.Op);
        foreach (var (name, value) in n.Attributes) w.Message(5, a => Attribute(a, name, value));
    }

    private static void Attribute(ProtoWriter w, string name, object value)
    {
        w.String(1, name);
        switch (value)
        {
            case float f: w.Int(20, 1); w.Float(2, f); break;
            case long i: w.Int(20, 2); w.Int(3, i); break;
            case string s: w.Int(20, 3); w.String(4, s); break;
            case OnnxGraph g: w.Int(20, 5); w.Message(6, m => Graph(m, g)); break;
            case long[] ints: w.Int(20, 7); foreach (var i in ints) w.Int(8, i); break;
            default: throw new ArgumentException($"ONNX attribute '{name}' of type {value.GetType().Name}", nameof(value));
        }
    }

    private static void Tensor(ProtoWriter w, OnnxTensor t)
    {
        foreach (var d in t.Dims) w.Int(1, d);
        w.Int(2, (int)t.Type);
        w.String(8, t.Name);
        w.Bytes(9, t.Raw);
    }

    private static void ValueInfo(ProtoWriter w, OnnxValueInfo v)
    {
        w.String(1, v.Name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, (int)v.Type);
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Dims)
                    shape.Message(1, dim => { if (d.Param is { } p) dim.String(2, p); else dim.Int(1, d.Value); });
            });
        }));
    }
}
