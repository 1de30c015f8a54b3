using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// A graph in SSA form: nodes in creation order (which is a topological order) and named outputs.
/// </summary>
public sealed class Graph
{
    private readonly List<Node> _nodes = new();
    private readonly List<KeyValuePair<string, Node>> _outputs = new();

    public IReadOnlyList<Node> Nodes => _nodes;

    public IReadOnlyList<KeyValuePair<string, Node>> Outputs => _outputs;

    /// <summary>
    /// For a scan body under construction: turns a node of an enclosing graph into a value of this one (an
    /// invariant input, or a copy of a constant). Null: every input must already belong to this graph.
    /// </summary>
    public System.Func<Node, Node>? Capture { get; set; }

    public Node Add(OpKind op, Shape shape, NodeAttrs attrs, params Node[] inputs)
    {
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Owner != this)
            {
                inputs = (Node[])inputs.Clone();
                inputs[i] = Capture?.Invoke(inputs[i]) ?? throw Rewriter.Internal($"{inputs[i]} belongs to another graph");
            }
        var node = new Node(_nodes.Count, op, inputs, shape, attrs, this);
        _nodes.Add(node);
        return node;
    }

    public void SetOutput(string name, Node node)
    {
        _outputs.RemoveAll(o => o.Key == name);
        _outputs.Add(new KeyValuePair<string, Node>(name, node));
    }

    public void RemoveOutput(string name) => _outputs.RemoveAll(o => o.Key == name);

    public Node Output(string name) => _outputs.First(o => o.Key == name).Value;

    public IEnumerable<Node> Leaves(OpKind op) => _nodes.Where(n => n.Op == op);

    /// <summary>Users of each node, in node order.</summary>
    public Dictionary<Node, List<Node>> Consumers()
    {
        var users = _nodes.ToDictionary(n => n, _ => new List<Node>());
        foreach (var n in _nodes)
            foreach (var i in n.Inputs.Distinct())
                users[i].Add(n);
        return users;
    }

    public override string ToString() => GraphPrinter.Print(this);
}
