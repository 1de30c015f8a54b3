using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Where each kernel's result lives. Graph outputs get their own buffers; every other
/// intermediate gets an arena slot, reused once its last reader has run (greedy by liveness).
/// A slot's size is the largest of its tenants' sizes, evaluated when the symbolic dims are bound.
/// </summary>
public sealed class MemoryPlan
{
    private MemoryPlan(Dictionary<Node, int> slotOf, List<List<Dim>> slotSizes)
    {
        SlotOf = slotOf; SlotSizes = slotSizes;
    }

    /// <summary>Arena slot per intermediate node (outputs, inputs and parameters have none).</summary>
    public IReadOnlyDictionary<Node, int> SlotOf { get; }

    /// <summary>For each slot, the sizes (in floats) of the values that share it; the slot holds the largest.</summary>
    public IReadOnlyList<List<Dim>> SlotSizes { get; }

    public static MemoryPlan Build(Graph g, IReadOnlyList<Kernel> kernels)
    {
        // A row pipeline's kernels run interleaved, block by block: they are one step, so every buffer they touch is
        // live through all of them (no kernel of a pipeline reuses the slot of a value another one reads).
        var steps = new List<List<Kernel>>();
        foreach (var k in kernels)
            if (k.Group >= 0 && steps.Count > 0 && steps[steps.Count - 1][0].Group == k.Group) steps[steps.Count - 1].Add(k);
            else steps.Add(new List<Kernel> { k });
        var outputs = new HashSet<Node>(g.Outputs.Select(o => o.Value));
        var lastUse = new Dictionary<Node, int>();
        for (int t = 0; t < steps.Count; t++)
            foreach (var k in steps[t])
                foreach (var r in k.Reads) lastUse[r] = t;

        var slotOf = new Dictionary<Node, int>();
        var sizes = new List<List<Dim>>();
        var free = new SortedSet<int>();
        for (int t = 0; t < steps.Count; t++)
        {
            foreach (var n in steps[t].SelectMany(k => k.Writes))
            {
                if (outputs.Contains(n)) continue;
                int slot;
                if (free.Count > 0) { slot = free.Min; free.Remove(slot); }
                else { slot = sizes.Count; sizes.Add(new List<Dim>()); }
                slotOf[n] = slot;
                if (!sizes[slot].Contains(n.Shape.Size)) sizes[slot].Add(n.Shape.Size);
            }
            foreach (var r in steps[t].SelectMany(k => k.Reads).Distinct())
                if (slotOf.TryGetValue(r, out var s) && lastUse[r] == t) free.Add(s);
            foreach (var n in steps[t].SelectMany(k => k.Writes))
                if (slotOf.TryGetValue(n, out var own) && !lastUse.ContainsKey(n)) free.Add(own); // dead value
        }
        return new MemoryPlan(slotOf, sizes);
    }
}
