using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace GraphNet;

/// <summary>
/// Updates parameters from the gradients a generated training step wrote into <see cref="Parameter.Grad"/>.
/// A <c>[Train]</c> entry point calls <see cref="Step"/> after the fused backward pass.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Applies one update to each of <paramref name="parameters"/> (a model's set, or any subset of it).</summary>
    public abstract void Step(IReadOnlyList<Parameter> parameters);

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long Steps { get; protected set; }

    /// <summary>
    /// The optimizer's state tensors for <paramref name="parameters"/>, named "param/slot" (for example "w1/adam.m"),
    /// created (zeroed) if no step has run yet, so a checkpoint can be loaded into them.
    /// </summary>
    public abstract IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters);

    /// <summary>Restores the step count a checkpoint saved.</summary>
    public virtual void RestoreSteps(long steps) => Steps = steps;
}

/// <summary>
/// An optimizer whose update is elementwise: one fused vectorized pass per parameter reads the
/// gradient, adds the L2 penalty, applies the rule and its state, and writes the parameter.
/// Shared options: learning-rate schedule, L2 penalty or decoupled weight decay (vectors and scalars,
/// i.e. biases, excluded unless <see cref="DecayBiases"/>), and clipping by the global gradient norm.
/// </summary>
public abstract class ElementwiseOptimizer : Optimizer
{
    private readonly Dictionary<Parameter, Tensor[]> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Sets the base <see cref="LearningRate"/>; it must be positive and finite (else <see cref="ArgumentOutOfRangeException"/>).</summary>
    protected ElementwiseOptimizer(float learningRate)
    {
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        LearningRate = learningRate;
    }

    /// <summary>The base learning rate; the schedule scales it.</summary>
    public float LearningRate { get; set; }

    /// <summary>Learning-rate schedule (default: constant).</summary>
    public Schedule Schedule { get; set; } = Schedule.Constant;

    /// <summary>L2 penalty: adds <c>L2 · w</c> to the gradient before the rule (so Adam rescales it).</summary>
    public float L2 { get; set; }

    /// <summary>Decoupled weight decay (AdamW): <c>w ← w − lr · WeightDecay · w</c>, outside the rule.</summary>
    public float WeightDecay { get; set; }

    /// <summary>Apply <see cref="L2"/> and <see cref="WeightDecay"/> to rank-0 and rank-1 parameters (biases) too.</summary>
    public bool DecayBiases { get; set; }

    /// <summary>When set, gradients are scaled so that their global L2 norm is at most this value.</summary>
    public float? ClipNorm { get; set; }

    /// <summary>The global gradient norm seen by the last step (before clipping).</summary>
    public float LastGradNorm { get; private set; }

    /// <summary>The learning rate the next step uses.</summary>
    public float CurrentLearningRate => LearningRate * Schedule.Factor(Steps);

    /// <summary>Names of the per-parameter state slots, for example "adam.m".</summary>
    protected abstract string[] SlotNames { get; }

    /// <summary>
    /// One update of each parameter on the host: clipping (when <see cref="ClipNorm"/> is set), the scheduled learning rate,
    /// the L2 penalty, the rule and decoupled weight decay, in one pass per parameter. State slots are created (zeroed) for a
    /// parameter on its first step.
    /// </summary>
    public sealed override void Step(IReadOnlyList<Parameter> parameters) => Advance(parameters, new OnHost(this, parameters));

    /// <summary>Where the rule runs and where the gradient norm comes from (a struct: the host step allocates nothing).</summary>
    private interface IStepTarget
    {
        double GradSquares();
        void Apply(int i, in StepArgs args);
    }

    private readonly struct OnHost(ElementwiseOptimizer optimizer, IReadOnlyList<Parameter> parameters) : IStepTarget
    {
        public double GradSquares()
        {
            double sq = 0;
            for (int i = 0; i < parameters.Count; i++) sq += SumSquares(parameters[i].Grad.Data);
            return sq;
        }

        public void Apply(int i, in StepArgs args) => optimizer.Update(parameters[i].Value.Data, parameters[i].Grad.Data, optimizer.StateOf(parameters[i]), args);
    }

    private readonly struct Elsewhere(ElementwiseOptimizer optimizer, Func<double> gradSquares, Action<int, RuleStep> apply) : IStepTarget
    {
        public double GradSquares() => gradSquares();

        public void Apply(int i, in StepArgs args) =>
            apply(i, optimizer.Describe(args)!.Value with { GradScale = args.GradScale, L2 = args.L2, Keep = args.Keep });
    }

    /// <summary>
    /// One step's plan, wherever it runs: the gradient scale from clipping (the squared norm asked only when
    /// <see cref="ClipNorm"/> is set), the scheduled learning rate, the step count, and each parameter's L2 and
    /// decoupled-decay factor; the target runs the rule on parameter i.
    /// </summary>
    private void Advance<TTarget>(IReadOnlyList<Parameter> parameters, TTarget target) where TTarget : struct, IStepTarget
    {
        float scale = 1f;
        if (ClipNorm is { } clip)
        {
            LastGradNorm = (float)Math.Sqrt(target.GradSquares());
            if (LastGradNorm > clip) scale = clip / (LastGradNorm + 1e-6f);
        }
        float lr = CurrentLearningRate;
        Steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            bool decay = DecayBiases || parameters[i].Value.Rank >= 2;
            target.Apply(i, new StepArgs(lr, scale, decay ? L2 : 0f, decay ? 1f - lr * WeightDecay : 1f, Steps));
        }
    }

    /// <inheritdoc/>
    public sealed override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters)
    {
        var names = SlotNames;
        foreach (var p in parameters)
        {
            var s = StateOf(p);
            for (int k = 0; k < s.Length; k++) yield return new(p.Name + "/" + names[k], s[k]);
        }
    }

    /// <summary>
    /// One step run elsewhere (on a device), with this optimizer's schedule, clipping, decay and step count: the global
    /// squared gradient norm comes from <paramref name="gradSquares"/> (asked only when <see cref="ClipNorm"/> is set),
    /// and <paramref name="apply"/> runs the rule on parameter i. Returns false, doing nothing, when the rule has no
    /// such form (a subclass that does not describe it): then the caller steps on the host.
    /// </summary>
    public bool StepElsewhere(IReadOnlyList<Parameter> parameters, Func<double> gradSquares, Action<int, RuleStep> apply)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradSquares);
        ArgumentNullException.ThrowIfNull(apply);
        if (Describe(new StepArgs(1f, 1f, 0f, 1f, 1)) is null) return false;
        Advance(parameters, new Elsewhere(this, gradSquares, apply));
        return true;
    }

    /// <summary>The rule of one step as data (<see cref="StepElsewhere"/>); null when it has no such form.</summary>
    protected virtual RuleStep? Describe(in StepArgs a) => null;

    /// <summary>The learning rate, gradient scale, L2 coefficient, decoupled-decay factor and 1-based step of one update.</summary>
    protected readonly record struct StepArgs(float Lr, float GradScale, float L2, float Keep, long Step);

    /// <summary>Updates one parameter in place from its gradient and its state slots.</summary>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a);

    private Tensor[] StateOf(Parameter p)
    {
        if (!_state.TryGetValue(p, out var s))
        {
            s = new Tensor[SlotNames.Length];
            for (int k = 0; k < s.Length; k++) s[k] = new Tensor(p.Value.Shape);
            _state[p] = s;
        }
        return s;
    }

    private static double SumSquares(ReadOnlySpan<float> g)
    {
        double total = 0;
        var vs = MemoryMarshal.Cast<float, Vector<float>>(g);
        const int Chunk = 256;
        for (int c = 0; c < vs.Length; c += Chunk)
        {
            var acc = Vector<float>.Zero;
            for (int v = c; v < Math.Min(vs.Length, c + Chunk); v++) acc += vs[v] * vs[v];
            total += Vector.Sum(acc);
        }
        for (int i = vs.Length * Vector<float>.Count; i < g.Length; i++) total += (double)g[i] * g[i];
        return total;
    }

    /// <summary>
    /// The one fused pass: for each element, g' = scale·g + l2·w, then the rule's delta, then
    /// w ← keep·w − delta. The rule is written once over <see cref="Vector{T}"/>; the tail runs the
    /// same rule on a padded vector.
    /// </summary>
    protected static void Run<TRule>(TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, in StepArgs a)
        where TRule : struct, IUpdateRule
    {
        int n = w.Length, width = Vector<float>.Count, i = 0;
        var scale = new Vector<float>(a.GradScale);
        var l2 = new Vector<float>(a.L2);
        var keep = new Vector<float>(a.Keep);
        var ws = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gs = MemoryMarshal.Cast<float, Vector<float>>(g);
        var m0 = s0.IsEmpty ? default : MemoryMarshal.Cast<float, Vector<float>>(s0);
        var m1 = s1.IsEmpty ? default : MemoryMarshal.Cast<float, Vector<float>>(s1);
        unsafe
        {
            fixed (Vector<float>* pw = ws, pg = gs, p0 = m0, p1 = m1)
            {
                var job = new RuleJob<TRule> { Rule = rule, W = pw, G = pg, S0 = p0, S1 = p1, Scale = scale, L2 = l2, Keep = keep };
                GraphNet.Runtime.Workers.ForRange(ref job, ws.Length, width); // each element on its own: the same bits on any thread count
            }
        }
        i = ws.Length * width;
        if (i == n) return;
        Span<float> tw = stackalloc float[width], tg = stackalloc float[width], t0 = stackalloc float[width], t1 = stackalloc float[width];
        int r = n - i;
        w[i..].CopyTo(tw);
        g[i..].CopyTo(tg);
        if (!s0.IsEmpty) s0[i..].CopyTo(t0);
        if (!s1.IsEmpty) s1[i..].CopyTo(t1);
        var wt = new Vector<float>(tw);
        var gt = new Vector<float>(tg) * scale + l2 * wt;
        var v0 = new Vector<float>(t0);
        var v1 = new Vector<float>(t1);
        (keep * wt - rule.Delta(gt, ref v0, ref v1)).CopyTo(tw);
        v0.CopyTo(t0);
        v1.CopyTo(t1);
        tw[..r].CopyTo(w[i..]);
        if (!s0.IsEmpty) t0[..r].CopyTo(s0[i..]);
        if (!s1.IsEmpty) t1[..r].CopyTo(s1[i..]);
    }

    /// <summary>A range of vectors of one parameter's update (the pool splits long parameters).</summary>
    private unsafe struct RuleJob<TRule> : GraphNet.Runtime.IRangeJob where TRule : struct, IUpdateRule
    {
        public TRule Rule;
        public Vector<float>* W, G, S0, S1; // S0, S1 null when the rule keeps no such state
        public Vector<float> Scale, L2, Keep;

        public void Run(int lo, int hi)
        {
            Vector<float> dummy0 = default, dummy1 = default;
            var rule = Rule;
            for (int v = lo; v < hi; v++)
            {
                var wv = W[v];
                var gv = G[v] * Scale + L2 * wv;
                ref var a0 = ref S0 == null ? ref dummy0 : ref S0[v];
                ref var a1 = ref S1 == null ? ref dummy1 : ref S1[v];
                W[v] = Keep * wv - rule.Delta(gv, ref a0, ref a1);
            }
        }
    }

    /// <summary>An update rule: the amount subtracted from the parameter, given the (penalized) gradient and up to two state slots.</summary>
    protected interface IUpdateRule
    {
        /// <summary>The amount subtracted from the parameter for gradient <paramref name="g"/>; updates the state slots <paramref name="s0"/> and <paramref name="s1"/> in place.</summary>
        Vector<float> Delta(Vector<float> g, ref Vector<float> s0, ref Vector<float> s1);
    }
}

/// <summary>The elementwise rules an optimizer can hand to a device (<see cref="ElementwiseOptimizer.StepElsewhere"/>).</summary>
public enum RuleKind
{
    /// <summary>w ← keep·w − C0·g.</summary>
    Sgd,
    /// <summary>v ← C1·v + g; w ← keep·w − C0·v.</summary>
    Momentum,
    /// <summary>v ← C1·v + g; w ← keep·w − C0·(g + C1·v).</summary>
    Nesterov,
    /// <summary>s ← s + g²; w ← keep·w − C0·g / (√s + C1).</summary>
    AdaGrad,
    /// <summary>s ← C1·s + (1 − C1)·g²; w ← keep·w − C0·g / (√s + C2).</summary>
    RmsProp,
    /// <summary>m ← C1·m + (1 − C1)·g; v ← C2·v + (1 − C2)·g²; w ← keep·w − C0·m / (√(C3·v) + C4).</summary>
    Adam,
    /// <summary>w ← keep·w − C0·sign(g).</summary>
    SignSgd,
}

/// <summary>
/// One step of an elementwise rule for one parameter: the rule, its constants (see <see cref="RuleKind"/>), and the
/// shared pre-processing g ← GradScale·g + L2·w.
/// </summary>
public readonly record struct RuleStep(RuleKind Kind, float C0, float C1 = 0, float C2 = 0, float C3 = 0, float C4 = 0, float GradScale = 1, float L2 = 0, float Keep = 1);
