using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GraphNet.Compiler;

/// <summary>
/// A compact one-line text form of a graph that <see cref="Decode"/> reads back node for node (same ids, shapes,
/// attributes and outputs; loop bodies nested): the generator writes each compiled entry's inference graph this way
/// into the model, and the runtime decodes it to export ONNX. Nodes are separated by ';', each
/// <c>op [dims] (inputs) attrs</c>; attributes are written generically (only the ones set), so every op round-trips:
/// <c>a=</c> axes, <c>v=</c> value, <c>n=</c> name, <c>d=</c> dim, <c>ta</c>/<c>tb</c> transposes, <c>i=</c> ints,
/// <c>s=</c> a loop's header then its body in braces. Outputs are <c>&gt;name=id</c>. Names are escaped to
/// [A-Za-z0-9_.] (others as %XXXX), so the text needs no escaping inside a C# string literal.
/// A loop body's link to the body it was augmented from (<see cref="ScanBody.Primal"/>) is not kept.
/// </summary>
public static class GraphCodec
{
    private static readonly Dictionary<string, OpKind> Ops =
        ((OpKind[])Enum.GetValues(typeof(OpKind))).ToDictionary(o => o.Info().Name, StringComparer.Ordinal);

    /// <param name="rename">New names for leaves (inputs, parameters, buffers) by their graph name; others keep theirs.</param>
    public static string Encode(Graph graph, IReadOnlyDictionary<string, string>? rename = null)
    {
        var sb = new StringBuilder();
        Write(sb, graph, rename);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Graph g, IReadOnlyDictionary<string, string>? rename)
    {
        string sep = "";
        foreach (var n in g.Nodes)
        {
            sb.Append(sep).Append(n.Op.Info().Name).Append(' ');
            sep = ";";
            WriteShape(sb, n.Shape);
            if (n.Inputs.Count > 0) sb.Append(" (").Append(string.Join(",", n.Inputs.Select(i => Int(i.Id)))).Append(')');
            var a = n.Attrs;
            if (a.Axes.Length > 0) sb.Append(" a=").Append(Ints(a.Axes));
            if (BitConverter.DoubleToInt64Bits(a.Value) != 0) sb.Append(" v=").Append(Number(a.Value));
            if (a.Name.Length > 0) sb.Append(" n=").Append(Escape(rename is not null && rename.TryGetValue(a.Name, out var r) ? r : a.Name));
            if (a.DimValue != default(Dim)) sb.Append(" d=").Append(a.DimValue);
            if (a.TransA) sb.Append(" ta");
            if (a.TransB) sb.Append(" tb");
            if (a.Ints.Length > 0) sb.Append(" i=").Append(Ints(a.Ints));
            if (a.Scan is { } s)
            {
                sb.Append(" s=").Append(s.Length).Append('/').Append(Int(s.Carries)).Append('/').Append(Ints(s.XAxes)).Append('/')
                    .Append(Int(s.Invariants)).Append('/').Append(Int(s.Ys)).Append('/').Append(Int((s.Reverse ? 1 : 0) | (s.IsBackward ? 2 : 0)))
                    .Append('/').Append(Ints(s.ResidualIds)).Append('{');
                Write(sb, s.Body, null);
                sb.Append('}');
            }
        }
        foreach (var o in g.Outputs) sb.Append(sep).Append('>').Append(Escape(o.Key)).Append('=').Append(Int(o.Value.Id));
    }

    private static void WriteShape(StringBuilder sb, Shape s) => sb.Append('[').Append(string.Join(",", s.Dims.Select(d => d.ToString()))).Append(']');

    public static Graph Decode(string text)
    {
        var r = new Reader(text);
        var g = r.Graph();
        if (!r.AtEnd) throw r.Error("text after the graph");
        return g;
    }

    private sealed class Reader
    {
        private readonly string _s;
        private int _i;

        public Reader(string s) { _s = s; }

        public bool AtEnd => _i >= _s.Length;

        private char Peek => _i < _s.Length ? _s[_i] : '\0';

        public FormatException Error(string what) => new($"graph text at {_i}: {what}");

        private void Expect(char c)
        {
            if (Peek != c) throw Error($"expected '{c}'");
            _i++;
        }

        /// <summary>Characters up to one of the stops (or the end).</summary>
        private string Until(string stops)
        {
            int start = _i;
            while (_i < _s.Length && stops.IndexOf(_s[_i]) < 0) _i++;
            return _s.Substring(start, _i - start);
        }

        public Graph Graph()
        {
            var g = new Graph();
            while (!AtEnd && Peek != '}')
            {
                if (Peek == '>')
                {
                    _i++;
                    var name = Unescape(Until("="));
                    Expect('=');
                    g.SetOutput(name, g.Nodes[ParseInt(Until(";}"))]);
                }
                else Node(g);
                if (Peek == ';') _i++;
            }
            return g;
        }

        private void Node(Graph g)
        {
            var opName = Until(" ");
            if (!Ops.TryGetValue(opName, out var op)) throw Error($"unknown op '{opName}'");
            Expect(' ');
            Expect('[');
            var dims = Until("]");
            Expect(']');
            var shape = new Shape(dims.Length == 0 ? Array.Empty<Dim>() : dims.Split(',').Select(Dim.Parse).ToArray());
            var inputs = Array.Empty<Node>();
            var attrs = new NodeAttrs();
            while (Peek == ' ')
            {
                _i++;
                if (Peek == '(')
                {
                    _i++;
                    inputs = Until(")").Split(',').Select(id => g.Nodes[ParseInt(id)]).ToArray();
                    Expect(')');
                    continue;
                }
                var key = Until("= ;}");
                if (key is "ta" or "tb") { attrs = key == "ta" ? attrs with { TransA = true } : attrs with { TransB = true }; continue; }
                Expect('=');
                attrs = key switch
                {
                    "a" => attrs with { Axes = ParseInts(Until(" ;}")) },
                    "v" => attrs with { Value = ParseNumber(Until(" ;}")) },
                    "n" => attrs with { Name = Unescape(Until(" ;}")) },
                    "d" => attrs with { DimValue = Dim.Parse(Until(" ;}")) },
                    "i" => attrs with { Ints = ParseInts(Until(" ;}")) },
                    "s" => attrs with { Scan = Scan() },
                    _ => throw Error($"unknown attribute '{key}'"),
                };
            }
            g.Add(op, shape, attrs, inputs);
        }

        private ScanBody Scan()
        {
            var head = Until("{").Split('/');
            if (head.Length != 7) throw Error("a loop header has 7 fields");
            Expect('{');
            var body = Graph();
            Expect('}');
            int flags = ParseInt(head[5]);
            return new ScanBody(body, Dim.Parse(head[0]), ParseInt(head[1]), ParseInts(head[2]), ParseInt(head[3]), ParseInt(head[4]), (flags & 1) != 0)
            {
                ResidualIds = ParseInts(head[6]), IsBackward = (flags & 2) != 0,
            };
        }

        private int ParseInt(string s) =>
            int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"'{s}' is not an integer");

        private int[] ParseInts(string s) => s.Length == 0 ? Array.Empty<int>() : s.Split(',').Select(ParseInt).ToArray();

        private double ParseNumber(string s) => s switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Error($"'{s}' is not a number"),
        };
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Ints(IEnumerable<int> v) => string.Join(",", v.Select(Int));

    private static string Number(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.') sb.Append(c);
            else sb.Append('%').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static string Unescape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '%' && i + 4 < text.Length && int.TryParse(text.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 4;
            }
            else sb.Append(text[i]);
        return sb.ToString();
    }
}
