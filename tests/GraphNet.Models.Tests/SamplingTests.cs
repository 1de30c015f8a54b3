using System;
using System.IO;
using System.Linq;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>Random ops in compiled entries: distributions, reparameterized gradients, seeding, streams and checkpoints.</summary>
[Collection(nameof(ThreadCountTests))] // it changes the thread count
public class SamplingTests
{
    private static readonly Tensor Logits = Tensor.FromArray(new[] { MathF.Log(0.1f), MathF.Log(0.2f), MathF.Log(0.3f), MathF.Log(0.4f) }, Sampler.K);
    private static readonly Tensor P = Tensor.FromArray(new[] { 0.1f, 0.5f, 0.9f, 0f }, Sampler.K);

    [Fact]
    public void Draws_follow_their_distributions()
    {
        const int n = 50_000;
        var (normal, uniform, coin, category) = new Sampler(seed: 1).Draw(Logits, P, n);
        Assert.Equal(new[] { n, Sampler.K }, normal.Shape);
        Assert.Equal(new[] { n }, category.Shape);
        double mean = normal.Data.Average(v => (double)v), variance = normal.Data.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.InRange(normal.Data.Count(v => Math.Abs(v) < 1) / (double)normal.Length, 0.677, 0.689); // 68.3% within one sigma
        Assert.All(uniform.Data, v => Assert.InRange(v, 0f, 0.99999995f));
        Assert.InRange(uniform.Data.Average(v => (double)v), 0.497, 0.503);
        for (int k = 0; k < Sampler.K; k++)
        {
            double heads = Enumerable.Range(0, n).Average(i => (double)coin.Data[i * Sampler.K + k]);
            Assert.InRange(heads, P.Data[k] - 0.01, P.Data[k] + 0.01);
            double frequency = category.Data.Count(c => c == k) / (double)n;
            Assert.InRange(frequency, 0.1 * (k + 1) - 0.01, 0.1 * (k + 1) + 0.01); // softmax(log p) = p
        }
    }

    [Fact]
    public void Same_seed_same_numbers_each_call_new_numbers_and_no_dependence_on_threads()
    {
        Tensor First(int seed, int threads)
        {
            Workers.SetThreads(threads);
            try { return new Sampler(seed: seed).Draw(Logits, P, 64).normal; }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
        Assert.Equal(First(3, 1).Data, First(3, 2).Data);
        Assert.NotEqual(First(3, 2).Data, First(4, 2).Data);
        var m = new Sampler(seed: 3);
        var a = m.Draw(Logits, P, 64).normal;
        var b = m.Draw(Logits, P, 64).normal;
        Assert.NotEqual(a.Data, b.Data);
        Assert.Equal(2UL, m.RandomDraws);
    }

    [Fact]
    public void Reparameterized_samples_carry_gradients_to_mu_and_sigma_not_to_the_draw()
    {
        var mu = Tensor.FromArray(new float[] { 0.5f, -1, 2, 0, 1, -0.5f }, 2, Sampler.D);
        var logSigma = Tensor.FromArray(new float[] { 0, 0.3f, -0.7f, 0.1f, -0.2f, 0.4f }, 2, Sampler.D);
        var sample = new Sampler(seed: 5).SampleGaussian(mu, logSigma); // draw 0 of seed 5
        var dMu = new Sampler(seed: 5).MuGradient(mu, logSigma);
        var dLogSigma = new Sampler(seed: 5).LogSigmaGradient(mu, logSigma); // the same draw: d/dlogσ (μ + σε) = σε
        Assert.All(dMu.Data, g => Assert.Equal(1f, g));
        for (int i = 0; i < sample.Length; i++) Assert.Equal(sample.Data[i] - mu.Data[i], dLogSigma.Data[i], 5);
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_draws_what_it_would_have_drawn()
    {
        string path = Path.Combine(Path.GetTempPath(), "graphnet-draws-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            var m = new Sampler(seed: 7);
            for (int i = 0; i < 3; i++) m.Draw(Logits, P, 8);
            m.Save(path);
            var next = m.Draw(Logits, P, 8).normal;
            var resumed = new Sampler(seed: 7);
            resumed.Load(path);
            Assert.Equal(3UL, resumed.RandomDraws);
            Assert.Equal(next.Data, resumed.Draw(Logits, P, 8).normal.Data);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Eager_draws_are_seeded_by_manual_seed()
    {
        Ops.ManualSeed(11);
        var a = Ops.Normal(4, 3);
        var b = Ops.Normal(4, 3);
        Ops.ManualSeed(11);
        Assert.Equal(a.Data, Ops.Normal(4, 3).Data);
        Assert.NotEqual(a.Data, b.Data);
        Assert.Equal(new[] { 5 }, Ops.Categorical(Ops.Zeros(5, 3)).Shape);
    }

    [Fact]
    public void Draws_inside_a_loop_are_new_every_step_and_equal_a_draw_for_all_steps_before_it()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 2 * 5 * RandomWalk.D).Select(i => 1f + i % 3).ToArray(), 2, 5, RandomWalk.D);
        var inLoop = new RandomWalk(seed: 9).Walk(x);
        var upfront = new RandomWalk(seed: 9).WalkUpfront(x);
        Assert.Equal(upfront.Data, inLoop.Data);
        var steps = Enumerable.Range(1, 4).Select(t => inLoop.Data[t * RandomWalk.D] - inLoop.Data[(t - 1) * RandomWalk.D]).ToArray();
        Assert.Equal(steps.Length, steps.Distinct().Count()); // each step drew its own number
        // The backward pass sees the forward's draws: d/dx Σ p² with p_t = Σ_{s≤t} x_s u_s is 2 u_s Σ_{t≥s} p_t.
        var m = new RandomWalk(seed: 9);
        var gradient = m.InputGradient(x);
        var path = new RandomWalk(seed: 9).Walk(x);
        for (int b = 0; b < 2; b++)
            for (int d = 0; d < RandomWalk.D; d++)
                for (int s = 0; s < 5; s++)
                {
                    int At(int t) => (b * 5 + t) * RandomWalk.D + d;
                    float u = (path.Data[At(s)] - (s > 0 ? path.Data[At(s - 1)] : 0)) / x.Data[At(s)];
                    double tail = Enumerable.Range(s, 5 - s).Sum(t => (double)path.Data[At(t)]);
                    Assert.Equal(2 * u * tail, gradient.Data[At(s)], 3);
                }
    }

    [Fact]
    public void The_nearest_centroid_from_the_distance_products_epilogue_matches_a_brute_force_search()
    {
        const int n = 5003, k = NearestCentroid.K, d = NearestCentroid.D;
        var r = new Random(7);
        var centers = new float[k * d];
        for (int i = 0; i < centers.Length; i++) centers[i] = (float)(r.NextDouble() * 20 - 10);
        var points = new float[n * d];
        var want = new float[n];
        for (int i = 0; i < n; i++)
        {
            int c = r.Next(k); // a point near centroid c, much nearer than to any other
            for (int j = 0; j < d; j++) points[i * d + j] = centers[c * d + j] + (float)(r.NextDouble() - 0.5) * 0.1f;
            double best = double.MaxValue;
            for (int q = 0; q < k; q++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += Math.Pow(points[i * d + j] - centers[q * d + j], 2);
                if (s < best) { best = s; want[i] = q; }
            }
        }
        var m = new NearestCentroid(seed: 1);
        m.Initialize(Tensor.FromArray(centers, k, d));
        var got = m.Assign(Tensor.FromArray(points, n, d));
        Assert.Equal(new[] { n }, got.Shape);
        Assert.Equal(want, got.Data);
    }

    [Fact]
    public void An_update_entry_commits_its_assignments_after_computing_from_the_old_values()
    {
        // two well separated blobs and a far point
        var x = Tensor.FromArray(new float[] { 0, 0, 0.2f, 0, 0, 0.2f, 5, 5, 5.2f, 5, 5, 5.2f, 10, 0 }, 7, KMeansModel.D);
        var m = new KMeansModel(seed: 1);
        m.Initialize(Tensor.FromArray(new float[] { 0, 0, 5, 5, 9, 0 }, KMeansModel.K, KMeansModel.D));
        var before = m.Buffers.Single(b => b.Key == "centroids").Value.Data.ToArray();
        Assert.Equal(new float[] { 0, 0, 5, 5, 9, 0 }, before);
        float inertia = m.Step(x).ToScalar(); // computed from the seeded centroids
        Assert.Equal(2 * 0.04f + 2 * 0.04f + 1f, inertia, 4);
        var centroids = m.Buffers.Single(b => b.Key == "centroids").Value.Data;
        float third = 0.2f / 3;
        var expected = new[] { third, third, 5 + third, 5 + third, 10, 0 };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], centroids[i], 5);
        Assert.Equal(new float[] { 3, 3, 1 }, m.Buffers.Single(b => b.Key == "counts").Value.Data);
        Assert.True(m.Step(x).ToScalar() < inertia); // Lloyd never increases the inertia
    }

    [Fact]
    public void An_update_reads_fields_in_program_order_as_the_method_run_as_csharp()
    {
        var compiled = new NoiseSchedule(seed: 1);
        var eager = new NoiseSchedule(seed: 1);
        double cumulative = 0, product = 1;
        for (int t = 0; t < NoiseSchedule.T; t++) { product *= 1 - (0.1 + 0.1 * t); cumulative += product; }
        // β was zero before the first call: the return is 100 Σ ᾱ of the new schedule, ᾱ built from the new β
        Assert.Equal(100 * cumulative, compiled.Set(0.1f, 0.1f).ToScalar(), 3);
        Assert.Equal(100 * cumulative, eager.Define(0.1f, 0.1f).ToScalar(), 3);
        // a second call reads the committed β (Σ = 1.5) before assigning the next one
        Assert.Equal(1.5 + 100 * 5, compiled.Set(0f, 0f).ToScalar(), 3);
        var committed = compiled.Buffers.Single(b => b.Key == "alphaBar").Value.Data;
        Assert.All(committed, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void A_train_entry_runs_its_update_after_the_optimizer_step()
    {
        var x = Random(1, 16, 4);
        var y = Random(2, 16, 2);
        var clipped = new ClippedRegression(seed: 3);
        var manual = new ClippedRegression(seed: 3);
        Optimizer a = new Sgd(0.5f), b = new Sgd(0.5f);
        for (int i = 0; i < 5; i++)
        {
            clipped.Step(x, y, a);
            manual.PlainStep(x, y, b);
            var w = manual.Parameters["w"].Value.Data;
            for (int j = 0; j < w.Length; j++) w[j] = Math.Clamp(w[j], -0.1f, 0.1f);
        }
        Assert.Equal(manual.Parameters["w"].Value.Data, clipped.Parameters["w"].Value.Data);
        Assert.Contains(clipped.Parameters["w"].Value.Data, v => MathF.Abs(v) == 0.1f); // the clip was active
    }

    private static Tensor Random(int seed, params int[] shape) => RecurrentTests.Random(seed, shape);

    [Fact]
    public void TopK_sort_and_cumsum_agree_with_linq()
    {
        var points = Tensor.FromArray(new float[] { 0, 0, 1, 0, 0, 1, 1, 1, 3, 3, -1, 0 }, 6, 2);
        var queries = Tensor.FromArray(new float[] { 0.1f, 0, 2.9f, 3.2f }, 2, 2);
        var (distance, index) = new Selection().Neighbours(queries, points);
        for (int q = 0; q < 2; q++)
        {
            var expected = Enumerable.Range(0, 6)
                .Select(p => (Index: p, D: Math.Pow(queries.Data[2 * q] - points.Data[2 * p], 2) + Math.Pow(queries.Data[2 * q + 1] - points.Data[2 * p + 1], 2)))
                .OrderBy(p => p.D).ThenBy(p => p.Index).Take(Selection.K).ToArray();
            for (int j = 0; j < Selection.K; j++)
            {
                Assert.Equal(expected[j].Index, (int)index.Data[q * Selection.K + j]);
                Assert.Equal(expected[j].D, distance.Data[q * Selection.K + j], 4);
            }
        }
        var x = Tensor.FromArray(new float[] { 3, -1, 2, 2, 5, 0, 1, 0, -2, 4 }, 2, 5);
        var got = new Selection().SortAndSum(x);
        for (int r = 0; r < 2; r++)
        {
            var row = x.Data.Skip(5 * r).Take(5).ToArray();
            var sorted = row.OrderByDescending(v => v).ToArray();
            float running = 0;
            for (int j = 0; j < 5; j++) { running += row[j]; Assert.Equal(sorted[j] + running, got.Data[5 * r + j], 5); }
        }
        Assert.Equal(got.Data, new Selection().Sorted(x).Data); // the eager spec method gives the same
    }

    [Fact]
    public void Permutation_shuffles_rows_uniformly()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 3 * Sampler.D).Select(i => (float)(i / Sampler.D)).ToArray(), 3, Sampler.D);
        var m = new Sampler(seed: 4);
        var firsts = new int[3];
        for (int i = 0; i < 3000; i++)
        {
            var s = m.Shuffled(x);
            Assert.Equal(new float[] { 0, 1, 2 }, Enumerable.Range(0, 3).Select(r => s.Data[r * Sampler.D]).OrderBy(v => v).ToArray()); // a permutation of the rows
            firsts[(int)s.Data[0]]++;
        }
        Assert.All(firsts, c => Assert.InRange(c, 900, 1100)); // each row first a third of the time
    }
}
