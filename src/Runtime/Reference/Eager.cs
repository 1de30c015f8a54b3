using System;
using System.Collections.Generic;
using GraphNet.Compiler;

namespace GraphNet.Reference;

/// <summary>
/// The eager path: each op call builds a one-node-deep graph through the same <see cref="GraphBuilder"/>
/// the generator uses (so shapes, broadcasting and composites agree by construction) and runs it
/// with the reference interpreter: the debugging path and the oracle. In float, the common elementwise ops run over
/// whole arrays with the compiled kernels' vector math and matrix products with the packed GEMM; the rest is plain loops.
/// </summary>
public static class Eager
{
    /// <summary>
    /// Builds an op's graph with <paramref name="build"/> over inputs bound to <paramref name="args"/> and evaluates it: what each
    /// <see cref="Ops"/> method does when called directly. Shape errors throw <see cref="ShapeError"/>.
    /// </summary>
    public static Tensor Run(Func<GraphBuilder, Node[], Node> build, params Tensor[] args) =>
        RunAll((b, n) => new[] { build(b, n) }, args)[0];

    /// <summary>Like <see cref="Run"/> for an op with several results (split, chunk): one graph, one evaluation.</summary>
    public static Tensor[] RunAll(Func<GraphBuilder, Node[], Node[]> build, params Tensor[] args)
    {
        var b = new GraphBuilder();
        var nodes = new Node[args.Length];
        var leaves = new Dictionary<string, (int[], float[])>();
        for (int i = 0; i < args.Length; i++)
        {
            var name = "arg" + i;
            nodes[i] = b.Input(name, ShapeOf(args[i]));
            leaves[name] = (args[i].Shape, args[i].Data);
        }
        var results = build(b, nodes);
        bool random = false;
        foreach (var n in b.Graph.Nodes) random |= n.Op == OpKind.Random;
        var eval = random ? new Evaluator<float>(b.Graph, leaves, _seed, (ulong)System.Threading.Interlocked.Increment(ref _draws) - 1) : new Evaluator<float>(b.Graph, leaves);
        return Array.ConvertAll(results, r => { var (shape, data) = eval[r]; return new Tensor(data, shape); });
    }

    private static int _seed;
    private static long _draws;

    /// <summary>Seeds the eager random draws and restarts their stream: each eager call with a random op then draws the next numbers.</summary>
    public static void ManualSeed(int seed)
    {
        _seed = seed;
        System.Threading.Interlocked.Exchange(ref _draws, 0);
    }

    /// <summary>The constant graph shape of <paramref name="t"/>.</summary>
    public static Compiler.Shape ShapeOf(Tensor t) => new(Array.ConvertAll(t.Shape, d => Dim.Const(d)));
}
