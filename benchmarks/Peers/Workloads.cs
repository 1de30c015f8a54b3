using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet;
using GraphNet.Runtime;

namespace Benchmarks.Peers;

/// <summary>The workloads, each a copy of its peer script's set-up (shapes, data, optimizer, timing budget).</summary>
public static class Workloads
{
    private static Tensor Normal(int seed, params int[] shape)
    {
        var t = new Tensor(shape);
        new Rng((ulong)seed, 1).FillNormal(t.Data, 0, 1);
        return t;
    }

    /// <summary>A random data set of <paramref name="n"/> examples cut into contiguous batches, labels 0..9.</summary>
    private static (Tensor[] X, Tensor[] Y) Batches(int n, int batch, int features)
    {
        var x = Normal(1, n, features);
        var labels = new Rng(1, 2);
        int count = n / batch;
        var xs = Enumerable.Range(0, count).Select(b => Tensor.FromArray(x.Data.AsSpan(b * batch * features, batch * features), batch, features)).ToArray();
        var ys = Enumerable.Range(0, count).Select(b => Tensor.FromArray(Enumerable.Range(0, batch).Select(i => (float)(labels.Bits((ulong)(b * batch + i)) % 10)).ToArray(), batch)).ToArray();
        return (xs, ys);
    }

    /// <summary>machine/gemm.py: square C = A·B, n = 256 … 2048, GFLOP/s.</summary>
    public static void Sgemm(int threads)
    {
        foreach (int n in new[] { 256, 512, 1024, 2048 })
        {
            var a = Normal(1, n, n).Data;
            var b = Normal(2, n, n).Data;
            var c = new float[n * n];
            var s = Bench.Run(() => Gemm.MatMul(false, false, 1, n, n, n, a, b, c), warmup: 2, reps: 7, minRepS: 0.2, budgetS: 4);
            Bench.Emit("sgemm", new (string, object)[] { ("lib", "graphnet"), ("n", n), ("threads", threads) },
                new[] { ("gflops", Bench.Rate(s, 2.0 * n * n * n / 1e9, "GFLOP/s")), ("ms_per_call", Bench.Ms(s)) });
        }
    }

    /// <summary>
    /// eager_op.py: one op called eagerly (GraphNet: Ops.Add / Ops.Exp / Ops.Tanh outside any compiled entry; torch: the
    /// same function on tensors) over 2000×784 floats, a new result tensor per call on both sides.
    /// </summary>
    public static void EagerOp(int threads)
    {
        const int Rows = 2000, Cols = 784;
        var rng = new Rng(0, 5);
        Tensor Random() { var t = new Tensor(Rows, Cols); for (int i = 0; i < t.Length; i++) t.Data[i] = rng.Uniform((ulong)i) * 4 - 2; return t; }
        var x = Random();
        var y = Random();
        Bench.Emit("eager_op", new (string, object)[] { ("threads", threads), ("shape", "2000x784") }, new[]
        {
            ("add_ms", Bench.Ms(Bench.Run(() => Ops.Add(x, y), warmup: 3, reps: 11, minRepS: 0.2, budgetS: 4))),
            ("exp_ms", Bench.Ms(Bench.Run(() => Ops.Exp(x), warmup: 3, reps: 11, minRepS: 0.2, budgetS: 4))),
            ("tanh_ms", Bench.Ms(Bench.Run(() => Ops.Tanh(x), warmup: 3, reps: 11, minRepS: 0.2, budgetS: 4))),
        });
    }

    /// <summary>g_fusion.py: y = tanh(0.5x + 0.1)·sigmoid(1.5x) over 16M floats in [-2, 2), one generated kernel.</summary>
    public static void Fusion(int threads)
    {
        const int N = 16 * 1024 * 1024;
        var x = new Tensor(N);
        var rng = new Rng(0, 3);
        for (int i = 0; i < N; i++) x.Data[i] = rng.Uniform((ulong)i) * 4 - 2;
        var y = new Tensor(N);
        var model = new FusionProbe();
        var res = new List<(string, Bench.Stat)>();
        var copy = Bench.Run(() => Copy(x.Data, y.Data), warmup: 5, reps: 11, minRepS: 0.25, budgetS: 5);
        res.Add(("copy_floor_ms", Bench.Ms(copy)));
        res.Add(("copy_floor_GBps", Bench.Of(copy.Select(v => 2.0 * N * 4 / v / 1e9), "GB/s (read+write)")));
        res.Add(("tanh_alone_ms", Bench.Ms(Bench.Run(() => model.TanhAlone(x), warmup: 5, reps: 11, minRepS: 0.25, budgetS: 5))));
        var fused = Bench.Run(() => model.Fused(x), warmup: 5, reps: 11, minRepS: 0.25, budgetS: 5);
        res.Add(("eager_ms", Bench.Ms(fused)));
        // Correctness against double precision, as the peer checks allclose(atol=1e-6) against its eager result.
        var got = model.Fused(x).Data;
        double worst = 0;
        for (int i = 0; i < N; i += 997)
        {
            double v = x.Data[i];
            double want = Math.Tanh(0.5 * v + 0.1) / (1 + Math.Exp(-1.5 * v));
            worst = Math.Max(worst, Math.Abs(got[i] - want));
        }
        double floor = res[0].Item2.Median;
        Bench.Emit("g_fusion", new (string, object)[]
        {
            ("threads", threads), ("n", N), ("bytes_fused", 2L * N * 4), ("graphnet_kernels", "1 generated kernel (a [Compile] entry), output buffer reused"),
            ("max_abs_error_vs_double", worst), ("eager_over_floor", Math.Round(res[3].Item2.Median / floor, 2)),
        }, res);
    }

    private static void Copy(float[] from, float[] to)
    {
        var job = new CopyJob { From = from, To = to, Parts = Workers.Threads };
        Workers.For(job.Parts, ref job);
    }

    private struct CopyJob : IParallelJob
    {
        public float[] From, To;
        public int Parts;

        public void Run(int task)
        {
            long n = From.Length, lo = n * task / Parts, hi = n * (task + 1) / Parts;
            From.AsSpan((int)lo, (int)(hi - lo)).CopyTo(To.AsSpan((int)lo));
        }
    }

    /// <summary>c_logreg.py: N = 100000, D = 100, full-batch gradient step with SGD 0.1 (loss, gradients, update).</summary>
    public static void LogisticRegression(int threads)
    {
        const int N = 100000, D = LogReg.D;
        var x = Normal(0, N, D);
        var wTrue = Normal(1, D);
        var noise = Normal(2, N);
        var y = new Tensor(N);
        for (int i = 0; i < N; i++)
        {
            double z = 0;
            for (int j = 0; j < D; j++) z += x.Data[i * D + j] * wTrue.Data[j] / Math.Sqrt(D);
            y.Data[i] = z + 0.5 * noise.Data[i] > 0 ? 1 : 0;
        }
        var model = new LogReg();
        var opt = new Sgd(0.1f);
        var s = Bench.Run(() => model.Step(x, y, opt), warmup: 5, reps: 11, minRepS: 0.25, budgetS: 8);
        Bench.Emit("c_logreg", new (string, object)[]
        {
            ("threads", threads), ("N", N), ("D", D), ("dtype", "float32"), ("bytes_X", (long)N * D * 4),
            ("graphnet_step", "generated [Train] step: BCE-with-logits loss, gradients of w and b, SGD(lr=0.1) update"),
        }, new[]
        {
            ("torch_manual_step_ms", Bench.Ms(s)), ("torch_autograd_step_ms", Bench.Ms(s)),
            ("torch_manual_X_GBps", Bench.Rate(s, 2.0 * N * D * 4 / 1e9, "GB/s (2 reads of X)")),
        });
    }

    /// <summary>a_mlp.py: MLP 784-256-256-10, ReLU, softmax cross-entropy, SGD 0.01, batch 128.</summary>
    public static void Mlp(int threads)
    {
        const int B = 128;
        var (xs, ys) = Batches(60000, B, 784);
        var model = new Samples.MnistMlp.Mlp(seed: 1);
        var opt = new Sgd(0.01f);
        int next = 0;
        var s = Bench.Run(() => { model.Step(xs[next], ys[next], opt); next = (next + 1) % xs.Length; }, warmup: 20, reps: 11, minRepS: 0.4, budgetS: 12);
        var layers = new[] { (784, 256), (256, 256), (256, 10) };
        long flop = layers.Select((l, j) => 2L * B * l.Item1 * l.Item2 * (j == 0 ? 2 : 3)).Sum();
        Bench.Emit("a_mlp", new (string, object)[]
        {
            ("mode", "eager"), ("threads", threads), ("batch", B), ("layers", "784-256-256-10"), ("optimizer", "SGD(lr=0.01)"),
            ("gemm_flop_per_step", flop), ("graphnet_step", "generated [Train] step"),
        }, new[]
        {
            ("steps_per_s", Bench.Rate(s, 1, "steps/s")), ("samples_per_s", Bench.Rate(s, B, "samples/s")),
            ("ms_per_step", Bench.Ms(s)), ("gemm_gflops_achieved", Bench.Rate(s, flop / 1e9, "GFLOP/s")),
        });
    }

    /// <summary>b_lenet.py: conv 5x5 1-6 pad 2, ReLU, max-pool 2, conv 5x5 6-16, ReLU, max-pool 2, 400-120-84-10; SGD 0.01, batch 64.</summary>
    public static void LeNet(int threads)
    {
        const int B = 64;
        var (xs, ys) = Batches(60000, B, 784);
        var model = new Samples.LeNet5.LeNet(seed: 1);
        var opt = new Sgd(0.01f);
        int next = 0;
        var s = Bench.Run(() => { model.Step(xs[next], ys[next], opt); next = (next + 1) % xs.Length; }, warmup: 20, reps: 11, minRepS: 0.4, budgetS: 12);
        long macs = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
        long flop = 2 * macs * B * 3;
        Bench.Emit("b_lenet", new (string, object)[]
        {
            ("threads", threads), ("batch", B), ("optimizer", "SGD(lr=0.01)"), ("approx_flop_per_step", flop), ("graphnet_step", "generated [Train] step"),
        }, new[]
        {
            ("steps_per_s", Bench.Rate(s, 1, "steps/s")), ("samples_per_s", Bench.Rate(s, B, "samples/s")),
            ("ms_per_step", Bench.Ms(s)), ("gflops_achieved", Bench.Rate(s, flop / 1e9, "GFLOP/s")),
        });
    }

    /// <summary>e_transformer.py --impl manual: pre-norm GPT block B16 T128 d256 h4 ff1024, Adam 3e-4, MSE to a random target.</summary>
    public static void Transformer(int threads)
    {
        const int B = 16, T = TransformerBlock.T, d = TransformerBlock.D;
        var x = Normal(2, B, T, d);
        var target = Normal(3, B, T, d);
        var model = new TransformerBlock(seed: 1);
        var opt = new Adam(3e-4f);
        var s = Bench.Run(() => model.Step(x, target, opt), warmup: 5, reps: 11, minRepS: 0.5, budgetS: 15);
        long flop = 3L * B * T * (24L * d * d + 4L * T * d);
        Bench.Emit("e_transformer", new (string, object)[]
        {
            ("impl", "manual"), ("threads", threads), ("batch", B), ("seq", T), ("d_model", d), ("heads", TransformerBlock.Heads),
            ("d_ff", TransformerBlock.Hidden), ("optimizer", "Adam(lr=3e-4)"), ("approx_flop_per_step", flop),
            ("graphnet_step", "generated [Train] step"),
        }, new[]
        {
            ("steps_per_s", Bench.Rate(s, 1, "steps/s")), ("tokens_per_s", Bench.Rate(s, B * T, "tokens/s")),
            ("ms_per_step", Bench.Ms(s)), ("gflops_achieved", Bench.Rate(s, flop / 1e9, "GFLOP/s")),
        });
    }

    /// <summary>i_lstm.py: character LSTM (98 → 64 → LSTM 256 → 98), batch 32, T 64, Adam 2e-3, random ids walked in contiguous batches.</summary>
    /// <summary>d_kmeans: one Lloyd iteration, N = 100000, D = 32, K = 16, uniform [0, 1) data, the first K points as the initial centroids.</summary>
    public static void KMeans(int threads)
    {
        const int N = 100_000, D = KMeansLloyd.D, K = KMeansLloyd.K;
        var x = new Tensor(N, D);
        new Rng(0, 6).FillUniform(x.Data, 0, 1);
        var model = new KMeansLloyd(seed: 1);
        model.Initialize(Tensor.FromArray(x.Data.AsSpan(0, K * D), K, D));
        var s = Bench.Run(() => model.Step(x), warmup: 3, reps: 11, minRepS: 0.25, budgetS: 8);
        Bench.Emit("d_kmeans", new (string, object)[]
        {
            ("threads", threads), ("N", N), ("D", D), ("K", K), ("dtype", "float32"),
            ("graphnet", "[Update] entry: distances by GEMM, ArgMin, one-hot GEMM for the cluster sums, centroids committed"),
        }, new[] { ("ms_per_iter", Bench.Ms(s)) });
    }

    /// <summary>f_mf: one epoch of mini-batch SGD (batch 4096, lr 0.01) over 1M distinct (user, item) ratings of a rank-8 truth plus noise.</summary>
    public static void MatrixFactorization(int threads)
    {
        const int NU = Peers.MatrixFactorization.Users, NI = Peers.MatrixFactorization.Items, NNZ = 1_000_000, B = 4096;
        var rng = new Rng(0, 7);
        var seen = new HashSet<long>();
        var u = new float[NNZ]; var it = new float[NNZ]; var r = new float[NNZ];
        var pt = new float[NU * 8]; var qt = new float[NI * 8];
        rng.FillNormal(pt, 0, 1);
        new Rng(0, 8).FillNormal(qt, 0, 1);
        var noise = new float[NNZ];
        new Rng(0, 9).FillNormal(noise, 0, 0.1f);
        for (ulong c = 0; seen.Count < NNZ; c++)
        {
            long cell = (long)(rng.Bits(c) % (ulong)(NU * NI));
            if (!seen.Add(cell)) continue;
            int k = seen.Count - 1, user = (int)(cell / NI), item = (int)(cell % NI);
            float dot = 0;
            for (int j = 0; j < 8; j++) dot += pt[user * 8 + j] * qt[item * 8 + j];
            u[k] = user; it[k] = item; r[k] = dot / MathF.Sqrt(8) + noise[k];
        }
        var model = new Peers.MatrixFactorization(seed: 1);
        var opt = new Sgd(0.01f);
        var all = (U: Tensor.FromArray(u, NNZ), I: Tensor.FromArray(it, NNZ), R: Tensor.FromArray(r, NNZ));
        double before = model.TrainRmse(all.U, all.I, all.R).ToScalar();
        var order = Enumerable.Range(0, NNZ).ToArray();
        var full = (U: new Tensor(B), I: new Tensor(B), R: new Tensor(B));
        int rest = NNZ % B;
        var tail = (U: new Tensor(rest), I: new Tensor(rest), R: new Tensor(rest));
        int epochSeed = 0;
        void Epoch()
        {
            var shuffle = new Rng(1, (ulong)epochSeed++);
            for (int k = NNZ - 1; k > 0; k--) { int j = (int)(shuffle.Bits((ulong)k) % (ulong)(k + 1)); (order[k], order[j]) = (order[j], order[k]); }
            for (int s = 0; s < NNZ; s += B)
            {
                var batch = s + B <= NNZ ? full : tail;
                int n = Math.Min(B, NNZ - s);
                for (int k = 0; k < n; k++) { int e = order[s + k]; batch.U.Data[k] = u[e]; batch.I.Data[k] = it[e]; batch.R.Data[k] = r[e]; }
                model.Step(batch.U, batch.I, batch.R, opt);
            }
        }
        var times = Bench.Run(Epoch, warmup: 1, reps: 9, minRepS: 0, budgetS: 25);
        double after = model.TrainRmse(all.U, all.I, all.R).ToScalar();
        Bench.Emit("f_mf", new (string, object)[]
        {
            ("impl", "graphnet"), ("threads", threads), ("users", NU), ("items", NI), ("nnz", NNZ), ("K", Peers.MatrixFactorization.Rank),
            ("batch", B), ("lr", 0.01), ("reg", (double)Peers.MatrixFactorization.Reg), ("train_rmse_before", Math.Round(before, 4)), ("train_rmse_after", Math.Round(after, 4)),
            ("graphnet", "[Train] step: two embedding gathers, the tables' gradients by scatter-add, dense SGD over both tables"),
        }, new[] { ("s_per_epoch", Bench.Of(times, "s")), ("ratings_per_s", Bench.Rate(times, NNZ, "ratings/s")) });
    }

    public static void CharLstm(int threads)
    {
        const int B = 32, T = Peers.CharLstm.T, V = Peers.CharLstm.Vocab, E = Peers.CharLstm.Embed, H = Peers.CharLstm.Hidden;
        var rng = new Rng(0, 4);
        var stream = new float[B * T * 200 + 1];
        for (int i = 0; i < stream.Length; i++) stream[i] = rng.Bits((ulong)i) % V;
        int nb = (stream.Length - 1) / (B * T);
        var xs = Enumerable.Range(0, nb).Select(b => Tensor.FromArray(stream.AsSpan(b * B * T, B * T), B, T)).ToArray();
        var ys = Enumerable.Range(0, nb).Select(b => Tensor.FromArray(stream.AsSpan(b * B * T + 1, B * T), B, T)).ToArray();
        var model = new Peers.CharLstm(seed: 1);
        var opt = new Adam(2e-3f);
        int next = 0;
        var s = Bench.Run(() => { int i = next; next = (next + 1) % nb; model.Step(xs[i], ys[i], opt); }, warmup: 5, reps: 9, minRepS: 0.4, budgetS: 15);
        long flop = 3L * 2 * B * T * (E * 4L * H + H * 4L * H + (long)H * V);
        Bench.Emit("i_lstm", new (string, object)[]
        {
            ("threads", threads), ("batch", B), ("seq", T), ("hidden", H), ("embed", E), ("vocab", V), ("optimizer", "Adam(lr=2e-3)"),
            ("approx_flop_per_step", flop), ("graphnet_step", "generated [Train] step, LSTM as a scan over run-time T (BPTT by reverse scan), input projection hoisted"),
        }, new[]
        {
            ("steps_per_s", Bench.Rate(s, 1, "steps/s")), ("tokens_per_s", Bench.Rate(s, B * T, "tokens/s")),
            ("ms_per_step", Bench.Ms(s)), ("gflops_achieved", Bench.Rate(s, flop / 1e9, "GFLOP/s")),
        });
    }
}
