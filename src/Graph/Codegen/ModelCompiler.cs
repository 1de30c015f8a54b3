using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace GraphNet.Compiler;

/// <summary>
/// From a traced forward graph to a scheduled entry point: autodiff when the entry asks for
/// gradients, then the pass pipeline, then fusion and the memory plan.
/// </summary>
public static class ModelCompiler
{
    /// <param name="forward">The spec method's graph with its value as output <see cref="OutputNames.Result"/>.</param>
    /// <param name="trains">For gradient entries: the parameters (graph names) to differentiate; null for all.</param>
    public static EntryProgram Compile(string name, EntryKind kind, string spec, Graph forward, string? wrt = null,
        bool verify = false, CancellationToken ct = default, IReadOnlyCollection<string>? trains = null)
    {
        var hoisted = ScanHoisting.Hoist(forward);
        var g = kind == EntryKind.Forward ? hoisted : ScanGradients.Prepare(hoisted);
        var b = new GraphBuilder(g);
        var result = kind == EntryKind.Forward ? null! : g.Output(OutputNames.Result);
        var inputs = g.Leaves(OpKind.Input).Select(n => new TensorDecl(n.Attrs.Name, n.Shape)).ToList();
        switch (kind)
        {
            case EntryKind.Forward:
                break;
            case EntryKind.LossAndGradients or EntryKind.Train:
                var ps = g.Leaves(OpKind.Param).Where(p => trains is null || trains.Contains(p.Attrs.Name)).ToList();
                var grads = Gradients.Grad(b, result, ps, ct: ct);
                g.SetOutput(OutputNames.Loss, result);
                for (int i = 0; i < ps.Count; i++) g.SetOutput(OutputNames.Grad(ps[i].Attrs.Name), grads[i]);
                break;
            case EntryKind.InputGradient:
                var x = g.Leaves(OpKind.Input).First(n => n.Attrs.Name == wrt);
                g.SetOutput(OutputNames.Grad(x.Attrs.Name), Gradients.Grad(b, result, new[] { x }, ct: ct)[0]);
                break;
            case EntryKind.HessianVectorProduct or EntryKind.Hessian:
                // H·v = ∇(∇L · v): differentiate the gradient graph once more, along v.
                var qs = g.Leaves(OpKind.Param).ToList();
                var first = Gradients.Grad(b, result, qs, ct: ct);
                Node? dot = null;
                for (int i = 0; i < qs.Count; i++)
                {
                    var v = b.Input(OutputNames.Direction(qs[i].Attrs.Name), qs[i].Shape);
                    var term = b.Sum(b.Mul(first[i], v));
                    dot = dot is null ? term : b.Add(dot, term);
                }
                var hv = Gradients.Grad(b, dot ?? b.Const(0), qs, ct: ct);
                for (int i = 0; i < qs.Count; i++) g.SetOutput(OutputNames.Hvp(qs[i].Attrs.Name), hv[i]);
                break;
        }
        if (kind != EntryKind.Forward) g.RemoveOutput(OutputNames.Result);
        if (verify) Verifier.Verify(g);
        var optimized = Pipeline.Optimize(g, verify, ct);
        return new EntryProgram(name, kind, spec, inputs, wrt, Scheduler.Build(optimized, ct));
    }
}
