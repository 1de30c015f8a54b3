using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// GEMM epilogues: the elementwise kernels right after a product C [M, N] that consume it over C's own shape (a bias
/// add, an activation, in a backward pass the activation's derivative mask), and an arg-max or arg-min along the rows
/// of C or of such a kernel's result (k-means' nearest centroid), join it in a group, and the CPU runs them
/// on each block of C's rows as soon as the GEMM has finished the block, while it is in cache, instead of in passes of
/// their own after the product. A kernel joins when it reads C, or an earlier member's result, only element for
/// element (row i of its result needs row i of theirs and nothing else); other operands (the bias, another layer's
/// values) are complete before the product starts. A joining kernel may come a few kernels later (after the weights'
/// gradient, in a backward pass): it moves up to the product when it reads nothing the kernels it passes write. The
/// memory plan treats the group as one step, so nothing it writes takes the place of a value the product still reads.
/// The order stays a valid one for any backend.
/// </summary>
public static class Epilogues
{
    /// <summary>How many kernels after a product are looked at for its epilogue (a weight gradient's product may come between).</summary>
    private const int Lookahead = 6;

    public static List<Kernel> Form(List<Kernel> kernels)
    {
        int group = kernels.Count == 0 ? 0 : kernels.Max(k => k.Group) + 1;
        var order = new List<(Kernel Kernel, int Group, bool Epilogue)>(kernels.Count);
        var taken = new bool[kernels.Count];
        for (int i = 0; i < kernels.Count; i++)
        {
            if (taken[i]) continue;
            var p = kernels[i];
            var joined = new List<int>();
            if (IsProduct(p))
            {
                // A later kernel joins if it reads nothing that a kernel it would move ahead of writes.
                var members = new HashSet<Node> { p.Root };
                var passed = new HashSet<Node>();
                for (int j = i + 1; j < kernels.Count && j <= i + Lookahead; j++)
                {
                    var k = kernels[j];
                    if (k.Group >= 0 || k.Kind == KernelKind.Scan || taken[j]) break;
                    if (Joins(k, p.Root.Shape, members) && !k.Reads.Any(passed.Contains)) { joined.Add(j); members.Add(k.Root); }
                    else passed.UnionWith(k.Writes);
                }
            }
            if (joined.Count == 0) { order.Add((p, p.Group, p.Epilogue)); continue; }
            order.Add((p, group, true));
            foreach (int j in joined) { order.Add((kernels[j], group, true)); taken[j] = true; }
            group++;
        }
        return order.Select((x, index) => x.Kernel.Renumbered(index, x.Group, x.Epilogue)).ToList();
    }

    /// <summary>An arg-max or arg-min routine along the last axis of a matrix: [M, N] to [M, 1].</summary>
    public static bool IsRowArgExtreme(Kernel k) =>
        k.Kind == KernelKind.Routine && k.Root.Op is OpKind.ArgMax or OpKind.ArgMin && k.Reads.Count == 1
        && k.Reads[0].Shape.Rank == 2 && k.Root.Attrs.Axes is { Length: 1 } axes && axes[0] == 1;

    private static bool IsProduct(Kernel k) => k.Kind == KernelKind.MatMul && k.Group < 0 && k.Root.Shape.Rank == 2;

    private static bool Joins(Kernel k, Shape shape, HashSet<Node> members)
    {
        // The arg-max or arg-min along a member's rows (k-means' nearest centroid): row i of it needs row i of the member.
        if (IsRowArgExtreme(k)) return members.Contains(k.Reads[0]) && k.Reads[0].Shape.Equals(shape);
        // Over the product's shape, or a shape with its rows split ([B·H·W, C] seen as [B, H, W, C]: a convolution's bias add).
        var it = k.IterShape;
        if (k.Kind != KernelKind.Elementwise || k.Body is null || it.Rank < 2 || it[it.Rank - 1] != shape[1] || it.Size != shape.Size) return false;
        var loads = Scheduler.Loads(k.Body).ToList();
        var rowWise = it.ContiguousStrides();
        return loads.Any(l => members.Contains(l.Base))
            && loads.Where(l => members.Contains(l.Base)).All(l => l.Offset == Dim.Const(0) && l.Strides.SequenceEqual(rowWise));
    }
}
