using GraphNet;
using GraphNet.Layers;
using static GraphNet.Ops;

namespace Samples.Diffusion;

/// <summary>
/// A denoising diffusion model (Ho, Jain and Abbeel 2020) over vectors of <c>data</c> numbers with <c>steps</c> noise
/// levels: the forward process q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) for a linear β schedule, and a network
/// ε_θ(x_t, t) trained to predict the noise: three layers (SiLU, a learned embedding of t added to the first) beside a
/// learned per-step multiple of x_t (at high noise ε is nearly x_t itself, which a layer narrower than the data could
/// not pass through).
/// The schedule lives in buffers set by <see cref="Schedule"/>; ancestral sampling runs the whole reverse chain as one
/// loop in the compiled program, the step index a loop-carried tensor and each step's noise drawn inside the loop.
/// </summary>
[Module]
public partial class Ddpm(int data, int hidden, int steps)
{
    [Param(nameof(steps), nameof(hidden), Init = Init.StandardNormal)] Tensor time;
    [Param(nameof(steps), 1)] Tensor skip;
    Linear first = new(data, hidden);
    Linear second = new(hidden, hidden);
    Linear last = new(hidden, data);

    [Buffer(nameof(steps), 1)] Tensor beta;       // β_t
    [Buffer(nameof(steps), 1)] Tensor alphaBar;   // ᾱ_t = Π_{s ≤ t} (1 − β_s)
    [Buffer(nameof(steps), 1)] Tensor sigma;      // σ_t = √β̃_t, the posterior's spread (0 at t = 0)
    [Buffer(nameof(steps), 1)] Tensor fromStart;  // the posterior mean's weight on x₀: √ᾱ_{t−1} β_t / (1 − ᾱ_t)
    [Buffer(nameof(steps), 1)] Tensor fromNow;    // and on x_t: √(1 − β_t) (1 − ᾱ_{t−1}) / (1 − ᾱ_t)

    static Tensor Silu(Tensor z) => z * Sigmoid(z);

    /// <summary>ε_θ(x_t, t) for points x [N, data] at step indices t [N] (as floats).</summary>
    public Tensor Noise(Tensor x, Tensor t)
    {
        var h = Silu(first.Forward(x) + Gather(time, t));
        return Gather(skip, t) * x + last.Forward(Silu(second.Forward(h)));
    }

    /// <summary>β_t linear from <paramref name="first"/> by <paramref name="increment"/> per step; ᾱ_t and σ_t from it; the skip's start.</summary>
    public Tensor Schedule(float first, float increment)
    {
        var t = CumSum(Ones(steps, 1), 0) - 1f;
        beta = first + increment * t;
        alphaBar = Exp(CumSum(Log(1f - beta), 0));
        var previous = Concat(new[] { Ones(1, 1), Slice(alphaBar, 0, 0, steps - 1) }, 0);
        sigma = Sqrt(beta * (1f - previous) / (1f - alphaBar));
        fromStart = Sqrt(previous) * beta / (1f - alphaBar);
        fromNow = Sqrt(1f - beta) * (1f - previous) / (1f - alphaBar);
        skip = Sqrt(1f - alphaBar); // E[ε | x_t] for standard normal data: where the skip starts
        return Sum(alphaBar);
    }

    /// <summary>E‖ε − ε_θ(√ᾱ_t x_0 + √(1 − ᾱ_t) ε, t)‖² per coordinate, t uniform over the steps, ε ~ N(0, I).</summary>
    public Tensor Loss(Tensor x0)
    {
        var t = Categorical(Zeros(x0.Shape[0], steps));
        var keep = Gather(alphaBar, t);
        var noise = Normal(x0.Shape[0], data);
        var xt = Sqrt(keep) * x0 + Sqrt(1f - keep) * noise;
        return Mean(Square(noise - Noise(xt, t)));
    }

    /// <summary>
    /// Ancestral sampling: x_T ~ N(0, I), then for t = T − 1 … 0 the predicted start x̂₀ = (x − √(1 − ᾱ_t) ε_θ(x, t)) / √ᾱ_t,
    /// clamped to ±<paramref name="bound"/> (the data's range), and x ← the posterior q(x_{t−1} | x_t, x̂₀)'s mean + σ_t z.
    /// <paramref name="count"/> samples; <paramref name="length"/> is the number of steps to run (all of them: <c>steps</c>).
    /// </summary>
    public Tensor Sample(int count, int length, float bound)
    {
        var x = Normal(count, data);
        var t = (steps - 1) * Ones(count);
        for (int k = 0; k < length; k++)
        {
            var keep = Gather(alphaBar, t);
            var start = Clamp((x - Sqrt(1f - keep) * Noise(x, t)) / Sqrt(keep), -bound, bound);
            x = Gather(fromStart, t) * start + Gather(fromNow, t) * x + Gather(sigma, t) * Normal(count, data);
            t = t - 1f;
        }
        return x;
    }
}

/// <summary>A DDPM of 2-D points: 100 steps, β from 10⁻³ to 0.15.</summary>
[Model]
public sealed partial class PointDiffusion
{
    public const int Steps = 100, Hidden = 128;

    Ddpm ddpm = new(2, Hidden, Steps);

    public Tensor Schedule(float first, float increment) => ddpm.Schedule(first, increment);
    public Tensor Loss([Shape("B", 2)] Tensor x) => ddpm.Loss(x);
    public Tensor Sample(int count, int length, float bound) => ddpm.Sample(count, length, bound);

    [Update(nameof(Schedule))] public partial Tensor SetSchedule(float first, float increment);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Sample))] public partial Tensor Generate(int count, int length, float bound);
}

/// <summary>A DDPM of MNIST digits (pixels scaled to [−1, 1]) with the same 100-step schedule and a wider network.</summary>
[Model]
public sealed partial class DigitDiffusion
{
    public const int Steps = 100, Pixels = 784, Hidden = 512;

    Ddpm ddpm = new(Pixels, Hidden, Steps);

    public Tensor Schedule(float first, float increment) => ddpm.Schedule(first, increment);
    public Tensor Loss([Shape("B", Pixels)] Tensor x) => ddpm.Loss(x);
    public Tensor Sample(int count, int length, float bound) => ddpm.Sample(count, length, bound);

    [Update(nameof(Schedule))] public partial Tensor SetSchedule(float first, float increment);
    [Train(nameof(Loss))] public partial float Step(Tensor x, Optimizer optimizer);
    [Compile(nameof(Sample))] public partial Tensor Generate(int count, int length, float bound);
}

/// <summary>
/// A noise-conditional score network (Song and Ermon 2019) for 2-D points: s_θ(x, σ) = net(x, log σ) / σ, fitted by
/// denoising score matching over a continuum of noise levels, E_σ E‖σ s_θ(x + σε, σ) + ε‖² (the target score of the
/// noised point is −ε/σ), log σ uniform between two levels and drawn in the step. Sampling is annealed Langevin
/// dynamics: a run of Langevin steps at each level from the largest down, each run one compiled loop.
/// </summary>
[Model]
public sealed partial class NoiseConditionalScore
{
    public const int Hidden = 128;

    [Param(3, Hidden, Init = Init.He)] Tensor w1;
    [Param(Hidden)] Tensor b1;
    [Param(Hidden, Hidden, Init = Init.He)] Tensor w2;
    [Param(Hidden)] Tensor b2;
    [Param(Hidden, 2, Init = Init.Xavier)] Tensor w3;
    [Param(2)] Tensor b3;

    /// <summary>s_θ(x, σ) for points x [N, 2] at noise levels log σ [N, 1].</summary>
    public Tensor Score([Shape("N", 2)] Tensor x, [Shape("N", 1)] Tensor logSigma)
    {
        var h = Softplus(MatMul(Concat(new[] { x, logSigma }, 1), w1) + b1);
        return (MatMul(Softplus(MatMul(h, w2) + b2), w3) + b3) / Exp(logSigma);
    }

    public Tensor Loss([Shape("B", 2)] Tensor x, float lowLog, float highLog)
    {
        var logSigma = lowLog + (highLog - lowLog) * Uniform(x.Shape[0], 1);
        var sigma = Exp(logSigma);
        var noise = Normal(x.Shape[0], 2);
        return Mean(Sum(Square(sigma * Score(x + sigma * noise, logSigma) + noise), 1));
    }

    /// <summary><paramref name="length"/> Langevin steps at one level: x ← x + (α/2) s_θ(x, σ) + √α z.</summary>
    public Tensor Langevin([Shape("N", 2)] Tensor x, float logSigma, float alpha, float rootAlpha, int length)
    {
        var level = logSigma * Ones(x.Shape[0], 1);
        for (int k = 0; k < length; k++)
            x = x + 0.5f * alpha * Score(x, level) + rootAlpha * Normal(x.Shape[0], 2);
        return x;
    }

    /// <summary>Tweedie's denoising step after the last level: E[x₀ | x] = x + σ² s_θ(x, σ).</summary>
    public Tensor Denoise([Shape("N", 2)] Tensor x, float logSigma, float variance) => x + variance * Score(x, logSigma * Ones(x.Shape[0], 1));

    [Train(nameof(Loss))] public partial float Step(Tensor x, float lowLog, float highLog, Optimizer optimizer);
    [Compile(nameof(Langevin))] public partial Tensor Run(Tensor x, float logSigma, float alpha, float rootAlpha, int length);
    [Compile(nameof(Denoise))] public partial Tensor Clean(Tensor x, float logSigma, float variance);
}
