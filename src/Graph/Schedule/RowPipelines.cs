using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Row pipelines: one pass over a matrix x [N, D] where a schedule makes two. When a product z = x·w (w one column)
/// feeds, through elementwise kernels that work row by row, a vector r [N] that the product xᵀ·r reads (the gradient
/// step of a linear or logistic model, of an SVM: the residual of each row, then the rows weighted by it), the CPU
/// runs z's rows, those kernels and xᵀ·r's partial sum one block of rows at a time while the block is in cache, instead
/// of streaming x twice. The kernels r does not need move out of the way: those z does not reach run before the
/// product, the rest (a loss summed over the rows) after xᵀ·r. The schedule stays a valid order for any backend; only
/// the memory plan treats a pipeline as one step and the C# emitter runs it by blocks.
/// </summary>
public static class RowPipelines
{
    public static List<Kernel> Form(List<Kernel> kernels)
    {
        var producer = Producers(kernels);
        int groups = 0;
        for (int i = 0; i < kernels.Count; i++)
        {
            if (!IsRowProduct(kernels[i]) || kernels[i].Group >= 0) continue;
            var x = kernels[i].Reads[0];
            var rows = x.Shape[0];
            for (int j = i + 1; j < kernels.Count; j++)
            {
                var m2 = kernels[j];
                if (m2.Group >= 0) break; // a pipeline already formed lies ahead: its kernels stay together
                if (!(m2.Kind == KernelKind.MatMul && m2.Root.Attrs.TransA && !m2.Root.Attrs.TransB && m2.Root.Shape.Rank == 2
                      && m2.Reads[0] == x && m2.Root.Shape[1] == Dim.Const(1) && m2.Reads[1].Shape.Size == rows)) continue;
                var plan = Plan(kernels, producer, i, j, rows);
                if (plan is null) break;
                var (before, inside, after) = plan.Value;
                int g = groups++;
                var result = new List<Kernel>();
                foreach (var k in kernels.Take(i).Concat(before.Select(b => kernels[b])))
                    result.Add(k.Renumbered(result.Count, k.Group));
                foreach (var k in new[] { kernels[i] }.Concat(inside.Select(b => kernels[b])).Concat(new[] { m2 }))
                    result.Add(k.Renumbered(result.Count, g));
                foreach (var k in after.Select(b => kernels[b]).Concat(kernels.Skip(j + 1)))
                    result.Add(k.Renumbered(result.Count, k.Group));
                kernels = result;
                producer = Producers(kernels);
                break;
            }
        }
        return kernels;
    }

    /// <summary>The index of the kernel that writes each value.</summary>
    private static Dictionary<Node, int> Producers(List<Kernel> kernels)
    {
        var producer = new Dictionary<Node, int>();
        for (int i = 0; i < kernels.Count; i++)
            foreach (var n in kernels[i].Writes) producer[n] = i;
        return producer;
    }

    /// <summary>z = x·w with x [N, D] read row by row and w a single column: the pipeline's first kernel.</summary>
    private static bool IsRowProduct(Kernel k) =>
        k.Kind == KernelKind.MatMul && k.Root.Shape.Rank == 2 && !k.Root.Attrs.TransA && k.Root.Shape[1] == Dim.Const(1)
        && k.Reads.Count == 2 && k.Reads[0].Shape.Rank == 2 && k.Reads[0].Shape[0] == k.Root.Shape[0];

    /// <summary>
    /// The kernels between the products (by index) sorted into those to run before, inside and after the pipeline, or
    /// null when r needs a kernel that z reaches and that does not work row by row.
    /// </summary>
    private static (List<int> Before, List<int> Inside, List<int> After)? Plan(List<Kernel> kernels, Dictionary<Node, int> producer, int first, int last, Dim rows)
    {
        var reached = new HashSet<int> { first }; // kernels whose results depend on z
        for (int q = first + 1; q < last; q++)
            if (kernels[q].Reads.Any(r => producer.TryGetValue(r, out var p) && reached.Contains(p))) reached.Add(q);
        var needed = new HashSet<int>(); // kernels r is computed from
        var stack = new Stack<int>();
        if (producer.TryGetValue(kernels[last].Reads[1], out var rp) && rp > first && rp < last) stack.Push(rp);
        else return null; // r is not made between the products
        while (stack.Count > 0)
        {
            int q = stack.Pop();
            if (q == first || !needed.Add(q)) continue;
            foreach (var r in kernels[q].Reads)
                if (producer.TryGetValue(r, out var p) && p > first && p < last) stack.Push(p);
        }
        var before = new List<int>();
        var inside = new List<int>();
        var after = new List<int>();
        for (int q = first + 1; q < last; q++)
        {
            if (!needed.Contains(q)) after.Add(q);
            else if (!reached.Contains(q)) before.Add(q);
            else if (RowLocal(kernels[q], rows, kernels, producer, reached)) inside.Add(q);
            else return null;
        }
        return (before, inside, after);
    }

    /// <summary>
    /// An elementwise kernel over [N] (or [N, 1]) whose reads of values made in the pipeline are element i at row i, so
    /// a block of rows needs only the same block of its inputs.
    /// </summary>
    private static bool RowLocal(Kernel k, Dim rows, List<Kernel> kernels, Dictionary<Node, int> producer, HashSet<int> reached)
    {
        if (k.Kind != KernelKind.Elementwise || k.Body is null || k.IterShape.Rank == 0 || k.IterShape[0] != rows
            || k.IterShape.Dims.Skip(1).Any(d => d != Dim.Const(1)) || k.Writes.Count != 1) return false;
        var contiguous = k.IterShape.ContiguousStrides();
        foreach (var load in Scheduler.Loads(k.Body))
        {
            if (load.IsScalar || !(producer.TryGetValue(load.Base, out var p) && reached.Contains(p))) continue; // made before the pipeline
            if (load.Base.Shape.Size != rows || load.Offset != Dim.Const(0) || !load.Strides.SequenceEqual(contiguous)) return false;
        }
        return true;
    }
}
