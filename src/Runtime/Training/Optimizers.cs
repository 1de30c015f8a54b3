using System;
using System.Numerics;

namespace GraphNet;

/// <summary>Plain gradient descent: <c>w ← w − lr·g</c>.</summary>
public sealed class Sgd(float learningRate) : ElementwiseOptimizer(learningRate)
{
    /// <inheritdoc/>
    protected override string[] SlotNames => [];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a) =>
        Run(new Rule(new Vector<float>(a.Lr)), w, g, default, default, a);

    /// <inheritdoc/>
    protected override bool UpdateRows(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, ReadOnlySpan<int> rows, int rowLength, in StepArgs a)
    {
        RunRows(new Rule(new Vector<float>(a.Lr)), w, g, default, default, rows, rowLength, a); // w − lr·0 = w
        return true;
    }

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) => new(RuleKind.Sgd, a.Lr);

    private readonly struct Rule(Vector<float> lr) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> s0, ref Vector<float> s1) => lr * g;
    }
}

/// <summary>
/// Heavy-ball momentum (PyTorch's form): <c>v ← μ·v + g</c>, <c>w ← w − lr·v</c>; with
/// <paramref name="nesterov"/>, <c>w ← w − lr·(g + μ·v)</c>.
/// </summary>
public class Momentum(float learningRate, float momentum = 0.9f, bool nesterov = false) : ElementwiseOptimizer(learningRate)
{
    /// <summary>The momentum μ, in [0, 1) (else the constructor throws <see cref="ArgumentOutOfRangeException"/>).</summary>
    public float Mu { get; } = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");

    /// <summary>True for Nesterov's look-ahead form.</summary>
    public bool Nesterov { get; } = nesterov;

    /// <inheritdoc/>
    protected override string[] SlotNames => [Nesterov ? "nesterov.v" : "momentum.v"];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a) =>
        Run(new Rule(new Vector<float>(a.Lr), new Vector<float>(Mu), Nesterov), w, g, state[0].Data, default, a);

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) => new(Nesterov ? RuleKind.Nesterov : RuleKind.Momentum, a.Lr, Mu);

    private readonly struct Rule(Vector<float> lr, Vector<float> mu, bool nesterov) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> v, ref Vector<float> unused)
        {
            v = mu * v + g;
            return nesterov ? lr * (g + mu * v) : lr * v;
        }
    }
}

/// <summary>Nesterov accelerated gradient: <see cref="Momentum"/> with the look-ahead step <c>w ← w − lr·(g + μ·v)</c>.</summary>
public sealed class Nesterov(float learningRate, float momentum = 0.9f) : Momentum(learningRate, momentum, nesterov: true);

/// <summary>AdaGrad: <c>G ← G + g²</c>, <c>w ← w − lr·g / (√G + ε)</c>.</summary>
public sealed class AdaGrad(float learningRate, float epsilon = 1e-10f) : ElementwiseOptimizer(learningRate)
{
    /// <summary>The ε added to √G in the denominator.</summary>
    public float Epsilon { get; } = epsilon;

    /// <inheritdoc/>
    protected override string[] SlotNames => ["adagrad.sum"];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a) =>
        Run(new Rule(new Vector<float>(a.Lr), new Vector<float>(Epsilon)), w, g, state[0].Data, default, a);

    /// <inheritdoc/>
    protected override bool UpdateRows(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, ReadOnlySpan<int> rows, int rowLength, in StepArgs a)
    {
        RunRows(new Rule(new Vector<float>(a.Lr), new Vector<float>(Epsilon)), w, g, state[0].Data, default, rows, rowLength, a); // G + 0 = G, lr·0/(√G + ε) = 0
        return true;
    }

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) => new(RuleKind.AdaGrad, a.Lr, Epsilon);

    private readonly struct Rule(Vector<float> lr, Vector<float> eps) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> sum, ref Vector<float> unused)
        {
            sum += g * g;
            return lr * g / (Vector.SquareRoot(sum) + eps);
        }
    }
}

/// <summary>RMSProp: <c>s ← ρ·s + (1−ρ)·g²</c>, <c>w ← w − lr·g / (√s + ε)</c>.</summary>
public sealed class RmsProp(float learningRate, float rho = 0.99f, float epsilon = 1e-8f) : ElementwiseOptimizer(learningRate)
{
    /// <summary>The decay ρ of the squared-gradient average, in (0, 1) (else the constructor throws <see cref="ArgumentOutOfRangeException"/>).</summary>
    public float Rho { get; } = rho is > 0 and < 1 ? rho : throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in (0, 1).");

    /// <summary>The ε added to √s in the denominator.</summary>
    public float Epsilon { get; } = epsilon;

    /// <inheritdoc/>
    protected override string[] SlotNames => ["rmsprop.s"];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a) =>
        Run(new Rule(new Vector<float>(a.Lr), new Vector<float>(Rho), new Vector<float>(Epsilon)), w, g, state[0].Data, default, a);

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) => new(RuleKind.RmsProp, a.Lr, Rho, Epsilon);

    private readonly struct Rule(Vector<float> lr, Vector<float> rho, Vector<float> eps) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> s, ref Vector<float> unused)
        {
            s = rho * s + (Vector<float>.One - rho) * g * g;
            return lr * g / (Vector.SquareRoot(s) + eps);
        }
    }
}

/// <summary>
/// Adam with bias correction: <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g²</c>,
/// <c>w ← w − lr·m̂ / (√v̂ + ε)</c> with <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>.
/// With <see cref="ElementwiseOptimizer.WeightDecay"/> it is AdamW.
/// </summary>
public sealed class Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : ElementwiseOptimizer(learningRate)
{
    /// <summary>The decay β₁ of the first moment, in [0, 1) (else the constructor throws <see cref="ArgumentOutOfRangeException"/>).</summary>
    public float Beta1 { get; } = beta1 is >= 0 and < 1 ? beta1 : throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");

    /// <summary>The decay β₂ of the second moment, in [0, 1) (else the constructor throws <see cref="ArgumentOutOfRangeException"/>).</summary>
    public float Beta2 { get; } = beta2 is >= 0 and < 1 ? beta2 : throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");

    /// <summary>The ε added to √v̂ in the denominator.</summary>
    public float Epsilon { get; } = epsilon;

    /// <inheritdoc/>
    protected override string[] SlotNames => ["adam.m", "adam.v"];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a)
    {
        float c1 = 1f - MathF.Pow(Beta1, a.Step), c2 = 1f - MathF.Pow(Beta2, a.Step);
        var rule = new Rule(new Vector<float>(a.Lr / c1), new Vector<float>(Beta1), new Vector<float>(Beta2),
            new Vector<float>(1f / c2), new Vector<float>(Epsilon));
        Run(rule, w, g, state[0].Data, state[1].Data, a);
    }

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) =>
        new(RuleKind.Adam, a.Lr / (1f - MathF.Pow(Beta1, a.Step)), Beta1, Beta2, 1f / (1f - MathF.Pow(Beta2, a.Step)), Epsilon);

    private readonly struct Rule(Vector<float> lrOverC1, Vector<float> b1, Vector<float> b2, Vector<float> invC2, Vector<float> eps) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> m, ref Vector<float> v)
        {
            m = b1 * m + (Vector<float>.One - b1) * g;
            v = b2 * v + (Vector<float>.One - b2) * g * g;
            return lrOverC1 * m / (Vector.SquareRoot(v * invC2) + eps);
        }
    }
}

/// <summary>Sign-SGD: <c>w ← w − lr·sign(g)</c> (sign(0) = 0).</summary>
public sealed class SignSgd(float learningRate) : ElementwiseOptimizer(learningRate)
{
    /// <inheritdoc/>
    protected override string[] SlotNames => [];

    /// <inheritdoc/>
    protected override void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, in StepArgs a) =>
        Run(new Rule(new Vector<float>(a.Lr)), w, g, default, default, a);

    /// <inheritdoc/>
    protected override bool UpdateRows(Span<float> w, ReadOnlySpan<float> g, Tensor[] state, ReadOnlySpan<int> rows, int rowLength, in StepArgs a)
    {
        RunRows(new Rule(new Vector<float>(a.Lr)), w, g, default, default, rows, rowLength, a); // sign(0) = 0
        return true;
    }

    /// <inheritdoc/>
    protected override RuleStep? Describe(in StepArgs a) => new(RuleKind.SignSgd, a.Lr);

    private readonly struct Rule(Vector<float> lr) : IUpdateRule
    {
        public Vector<float> Delta(Vector<float> g, ref Vector<float> s0, ref Vector<float> s1)
        {
            var pos = Vector.ConditionalSelect(Vector.GreaterThan(g, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
            var neg = Vector.ConditionalSelect(Vector.LessThan(g, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
            return lr * (pos - neg);
        }
    }
}
