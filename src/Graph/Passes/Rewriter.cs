using System;
using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Copies a graph node by node into a new one. A rule sees each node with its inputs already
/// rewritten and returns a replacement, or null to keep the node as it is.
/// </summary>
public static class Rewriter
{
    public delegate Node? Rule(GraphBuilder b, Node original, Node[] inputs);

    public static Graph Run(Graph g, Rule rule)
    {
        var b = new GraphBuilder();
        var map = new Dictionary<Node, Node>();
        foreach (var n in g.Nodes)
        {
            var inputs = n.Inputs.Select(i => map[i]).ToArray();
            map[n] = rule(b, n, inputs) ?? Clone(b, n, inputs);
        }
        foreach (var o in g.Outputs) b.Graph.SetOutput(o.Key, map[o.Value]);
        return b.Graph;
    }

    public static Node Clone(GraphBuilder b, Node n, Node[] inputs) => b.Graph.Add(n.Op, n.Shape, n.Attrs, inputs);

    /// <summary>The scalar value of a constant seen through reshapes and broadcasts, if it is one.</summary>
    public static double? ConstValue(Node n)
    {
        while (n.Op is OpKind.Reshape or OpKind.Expand) n = n[0];
        return n.Op == OpKind.Const ? n.Attrs.Value : (double?)null;
    }

    public static bool IsConst(Node n, double value) => ConstValue(n) is double v && v.Equals(value);

    internal static Exception Internal(string message) => new InvalidOperationException("GraphNet compiler: " + message);
}
