using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphNet;

/// <summary>
/// Updates parameters from the gradients a generated training step wrote into <see cref="Parameter.Grad"/>.
/// A <c>[Train]</c> entry point calls <see cref="Step(IReadOnlyList{Parameter})"/> (or, for an embedding table's row gradient, the form that names its rows) after the fused backward pass.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Applies one update to each of <paramref name="parameters"/> (a model's set, or any subset of it).</summary>
    public abstract void Step(IReadOnlyList<Parameter> parameters);

    /// <summary>
    /// Applies one update to each of <paramref name="parameters"/>, told that the gradient of each parameter named in
    /// <paramref name="rows"/> is zero outside the rows listed there (an embedding table's gradient: a scatter-add of one
    /// batch's rows). An optimizer whose rule leaves a weight as it is where its gradient is zero (SGD, AdaGrad, sign-SGD,
    /// with no L2 penalty or weight decay) then updates only those rows, with the values a full step gives; any other steps
    /// every row. A <c>[Train]</c> entry calls this form when a parameter's gradient is a scatter-add by one of its inputs.
    /// </summary>
    public virtual void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<GradientRows> rows) => Step(parameters);

    /// <summary>Number of completed <see cref="Step(IReadOnlyList{Parameter})"/> calls.</summary>
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

    /// <summary>
    /// One update as <see cref="Step(IReadOnlyList{Parameter})"/> does (clipping, schedule, step count), where a parameter
    /// listed in <paramref name="rows"/> whose rule leaves zero-gradient weights as they are (<see cref="UpdateRows"/>), with no
    /// L2 penalty or weight decay on it, has only the listed rows updated: the same values as the full pass for finite weights,
    /// without reading the rest of the table. Ids that are not row numbers of the parameter's first axis throw
    /// <see cref="ArgumentException"/> naming the parameter and the id, before anything changes.
    /// </summary>
    public sealed override void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<GradientRows> rows)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(rows);
        if (_rowLists.Length < rows.Count) Array.Resize(ref _rowLists, rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            DistinctRows(rows[r], ref _rowLists[r]); // or marks the table for the full pass
            for (int q = 0; q < r; q++) // a parameter named twice: its gradient may be nonzero in either's rows
                if (ReferenceEquals(rows[q].Parameter, rows[r].Parameter)) _rowLists[q].Count = -1;
        }
        Advance(parameters, new OnHostRows(this, parameters, rows, _rowLists));
    }

    private RowList[] _rowLists = [];

    /// <summary>Distinct row numbers (reused buffer, first <see cref="Count"/> entries); a count of −1 asks for the full pass.</summary>
    private struct RowList
    {
        public int[] Rows;
        public int Count;
    }

    /// <summary>Rows updated one by one cost about this many times a row streamed by the full pass (measured, 32-float rows).</summary>
    private const int RowCostRatio = 8;

    /// <summary>
    /// Updates rows <paramref name="rows"/> (each of <paramref name="rowLength"/> elements, distinct) of one parameter and
    /// of its state, where the rest of the gradient is zero and the L2 penalty and decay are off; false, changing nothing,
    /// when the rule would still change a weight or its state where the gradient is zero (momentum, RMSProp, Adam): then the
    /// whole parameter is stepped. Overrides call <see cref="RunRows"/> with their rule.
    /// </summary>
    protected virtual bool UpdateRows(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, ReadOnlySpan<int> rows, int rowLength, in StepArgs a) => false;

    private readonly struct OnHostRows(ElementwiseOptimizer optimizer, IReadOnlyList<Parameter> parameters, IReadOnlyList<GradientRows> rows, RowList[] lists) : IStepTarget
    {
        public double GradSquares() => new OnHost(optimizer, parameters).GradSquares();

        public void Apply(int i, in StepArgs args)
        {
            var p = parameters[i];
            int r = 0;
            while (r < rows.Count && !ReferenceEquals(rows[r].Parameter, p)) r++;
            // Rows at random places cost more than a streamed pass over them: below one row in RowCostRatio the listed rows
            // alone are cheaper (an embedding of a large vocabulary), above it the whole table is stepped.
            if (r < rows.Count && args.L2 == 0 && args.Keep == 1 && lists[r].Count >= 0
                && optimizer.UpdateRows(p.Value.Data, p.Grad.Data, optimizer.StateOf(p), lists[r].Rows.AsSpan(0, lists[r].Count), p.Value.Length / Math.Max(p.Value.Shape[0], 1), args))
                return;
            optimizer.Update(p.Value.Data, p.Grad.Data, optimizer.StateOf(p), args);
        }
    }

    [ThreadStatic] private static bool[]? _seen;

    /// <summary>The distinct row numbers among <paramref name="rows"/>' ids into <paramref name="list"/>, in order of first appearance; a bad id throws.</summary>
    private static void DistinctRows(GradientRows rows, ref RowList list)
    {
        var p = rows.Parameter ?? throw new ArgumentException("GradientRows without a parameter.", nameof(rows));
        if (rows.Ids is null || rows.Count < 0 || rows.Count > rows.Ids.Length)
            throw new ArgumentException($"GradientRows of '{p.Name}': {rows.Count} ids asked of an array of {rows.Ids?.Length ?? 0}.", nameof(rows));
        if (p.Value.Rank < 1) throw new ArgumentException($"GradientRows of '{p.Name}': a scalar parameter has no rows.", nameof(rows));
        int n = p.Value.Shape[0];
        list.Count = -1; // the full pass: more ids than pay for themselves (their rows are not read, so not checked either)
        if ((long)rows.Count * RowCostRatio > n) return;
        var seen = _seen is { } old && old.Length >= n ? old : _seen = new bool[n];
        if (list.Rows is null || list.Rows.Length < Math.Min(rows.Count, n)) list.Rows = new int[Math.Min(rows.Count, n)];
        list.Count = 0;
        try
        {
            for (int k = 0; k < rows.Count; k++)
            {
                float id = rows.Ids[k];
                if (!(id >= 0 && id < n && id == MathF.Floor(id)))
                    throw new ArgumentException($"GradientRows of '{p.Name}': id {id} at position {k} is not a row number in [0, {n}).", nameof(rows));
                if (!seen[(int)id]) { seen[(int)id] = true; list.Rows[list.Count++] = (int)id; }
            }
        }
        finally
        {
            for (int k = 0; k < list.Count; k++) seen[list.Rows[k]] = false; // the scratch is all false again
        }
    }

    /// <summary>
    /// <see cref="Run"/> over some rows only: each listed row of <paramref name="w"/> (and of the state slots) gets the
    /// same per-element update as the full pass; rows are split over the worker pool, each on its own.
    /// </summary>
    protected static unsafe void RunRows<TRule>(TRule rule, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, ReadOnlySpan<int> rows, int rowLength, in StepArgs a)
        where TRule : struct, IUpdateRule
    {
        if (rows.IsEmpty || rowLength == 0) return;
        fixed (float* pw = w, pg = g, p0 = s0, p1 = s1)
        fixed (int* pr = rows)
        {
            var job = new RowsJob<TRule>
            {
                Rule = rule, W = pw, G = pg, S0 = s0.IsEmpty ? null : p0, S1 = s1.IsEmpty ? null : p1, Rows = pr, RowLength = rowLength,
                Scale = new Vector<float>(a.GradScale), L2 = new Vector<float>(a.L2), Keep = new Vector<float>(a.Keep),
            };
            GraphNet.Runtime.Workers.ForRange(ref job, rows.Length, rowLength);
        }
    }

    /// <summary>A range of the listed rows of one parameter's update: each row's whole vectors as the full pass runs them, then its tail.</summary>
    private unsafe struct RowsJob<TRule> : GraphNet.Runtime.IRangeJob where TRule : struct, IUpdateRule
    {
        public TRule Rule;
        public float* W, G, S0, S1; // S0, S1 null when the rule keeps no such state
        public int* Rows;
        public int RowLength;
        public Vector<float> Scale, L2, Keep;

        public void Run(int lo, int hi)
        {
            int width = Vector<float>.Count, whole = RowLength / width * width;
            for (int k = lo; k < hi; k++)
            {
                long at = (long)Rows[k] * RowLength;
                float* s0 = S0 == null ? null : S0 + at, s1 = S1 == null ? null : S1 + at;
                var row = new RuleJob<TRule> { Rule = Rule, W = (Vector<float>*)(W + at), G = (Vector<float>*)(G + at), S0 = (Vector<float>*)s0, S1 = (Vector<float>*)s1, Scale = Scale, L2 = L2, Keep = Keep };
                row.Run(0, whole / width);
                if (whole < RowLength)
                    Tail(Rule, W + at + whole, G + at + whole, s0 == null ? null : s0 + whole, s1 == null ? null : s1 + whole, RowLength - whole, Scale, L2, Keep);
            }
        }
    }

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
        unsafe
        {
            fixed (float* pw = w, pg = g, p0 = s0, p1 = s1)
                Tail(rule, pw + i, pg + i, s0.IsEmpty ? null : p0 + i, s1.IsEmpty ? null : p1 + i, n - i, scale, l2, keep);
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> (fewer than a vector's width) elements of an update: the same rule on a vector
    /// padded with zeros, the lanes past them dropped.
    /// </summary>
    private static unsafe void Tail<TRule>(TRule rule, float* w, float* g, float* s0, float* s1, int count, Vector<float> scale, Vector<float> l2, Vector<float> keep)
        where TRule : struct, IUpdateRule
    {
        int width = Vector<float>.Count;
        float* tw = stackalloc float[width], tg = stackalloc float[width], t0 = stackalloc float[width], t1 = stackalloc float[width];
        for (int j = 0; j < width; j++)
        {
            bool inside = j < count;
            tw[j] = inside ? w[j] : 0; tg[j] = inside ? g[j] : 0;
            t0[j] = inside && s0 != null ? s0[j] : 0; t1[j] = inside && s1 != null ? s1[j] : 0;
        }
        var wt = Unsafe.ReadUnaligned<Vector<float>>(tw);
        var gt = Unsafe.ReadUnaligned<Vector<float>>(tg) * scale + l2 * wt;
        var v0 = Unsafe.ReadUnaligned<Vector<float>>(t0);
        var v1 = Unsafe.ReadUnaligned<Vector<float>>(t1);
        Unsafe.WriteUnaligned(tw, keep * wt - rule.Delta(gt, ref v0, ref v1));
        for (int j = 0; j < count; j++)
        {
            w[j] = tw[j];
            if (s0 != null) s0[j] = ((float*)&v0)[j];
            if (s1 != null) s1[j] = ((float*)&v1)[j];
        }
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

/// <summary>
/// The rows of <see cref="Parameter"/>'s gradient that may be nonzero: the first <see cref="Count"/> entries of
/// <see cref="Ids"/>, row numbers along its first axis (repeats allowed). A <c>[Train]</c> entry passes them to
/// <see cref="Optimizer.Step(IReadOnlyList{Parameter}, IReadOnlyList{GradientRows})"/> for a gradient that is a scatter-add
/// of a batch's rows, so an optimizer can leave the rest of an embedding table unread.
/// </summary>
public readonly record struct GradientRows(Parameter Parameter, float[] Ids, int Count);
