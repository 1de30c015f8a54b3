using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Benchmarks.TrainStep;
using GraphNet;

// Training-step throughput for the peers' workloads, one JSON line each (the peers' timing rule: warm-up steps,
// then up to 11 repetitions of at least min_rep seconds within a budget; median and range of steps/s).
//   a_mlp         MLP 784-256-256-10, SGD 0.01, batch 128, 60000x784 random data in contiguous batches
//   b_lenet       LeNet-5 (conv 5x5 1-6 pad 2, pool, conv 5x5 6-16, pool, 400-120-84-10), SGD 0.01, batch 64
//   e_transformer one pre-norm GPT block, B16 T128 d256 h4, MLP 1024 GELU, Adam 3e-4, MSE to a random target
// Usage: dotnet run -c Release --project benchmarks/TrainStep [a_mlp|b_lenet|e_transformer|all]
string which = args.Length > 0 ? args[0] : "all";
if (which is "a_mlp" or "all") Mlp();
if (which is "b_lenet" or "all") LeNet();
if (which is "e_transformer" or "all") Transformer();

static Tensor Normal(int seed, params int[] shape)
{
    var t = new Tensor(shape);
    new Rng((ulong)seed, 1).FillNormal(t.Data, 0, 1);
    return t;
}

/// <summary>A random data set of <paramref name="n"/> examples cut into contiguous batches, with labels 0..9.</summary>
static (Tensor[] X, Tensor[] Y) Batches(int n, int batch, int features)
{
    var x = Normal(1, n, features);
    var labels = new Rng(1, 2);
    int count = n / batch;
    var xs = Enumerable.Range(0, count).Select(b => Tensor.FromArray(x.Data.AsSpan(b * batch * features, batch * features), batch, features)).ToArray();
    var ys = Enumerable.Range(0, count).Select(b => Tensor.FromArray(Enumerable.Range(0, batch).Select(i => (float)(labels.Bits((ulong)(b * batch + i)) % 10)).ToArray(), batch)).ToArray();
    return (xs, ys);
}

static void Report(string workload, string config, int batch, int warmup, double minRep, double budgetSeconds, Action step, double itemsPerStep, string items)
{
    for (int i = 0; i < warmup; i++) step();
    var rates = new System.Collections.Generic.List<double>();
    var budget = Stopwatch.StartNew();
    while (rates.Count < 11 && budget.Elapsed.TotalSeconds < budgetSeconds)
    {
        var clock = Stopwatch.StartNew();
        int steps = 0;
        while (clock.Elapsed.TotalSeconds < minRep) { step(); steps++; }
        rates.Add(steps / clock.Elapsed.TotalSeconds);
    }
    rates.Sort();
    double median = rates[rates.Count / 2];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{{\"workload\": \"{workload}\", \"impl\": \"graphnet\", {config}, \"batch\": {batch}, \"threads\": 1, \"reps\": {rates.Count}, \"steps_per_s\": {median:F2}, \"steps_per_s_min\": {rates[0]:F2}, \"steps_per_s_max\": {rates[^1]:F2}, \"{items}_per_s\": {median * itemsPerStep:F0}}}"));
}

static void Mlp()
{
    const int batch = 128;
    var (xs, ys) = Batches(60000, batch, 784);
    var model = new Samples.MnistMlp.Mlp(seed: 1);
    var opt = new Sgd(0.01f);
    int next = 0;
    Report("a_mlp", "\"optimizer\": \"SGD(lr=0.01)\"", batch, 20, 0.4, 12, () => { model.Step(xs[next], ys[next], opt); next = (next + 1) % xs.Length; }, batch, "samples");
}

static void LeNet()
{
    const int batch = 64;
    var (xs, ys) = Batches(60000, batch, 784);
    var model = new Samples.LeNet5.LeNet(seed: 1);
    var opt = new Sgd(0.01f);
    int next = 0;
    Report("b_lenet", "\"optimizer\": \"SGD(lr=0.01)\"", batch, 20, 0.4, 12, () => { model.Step(xs[next], ys[next], opt); next = (next + 1) % xs.Length; }, batch, "samples");
}

static void Transformer()
{
    const int batch = 16;
    var x = Normal(2, batch, TransformerBlock.T, TransformerBlock.D);
    var target = Normal(3, batch, TransformerBlock.T, TransformerBlock.D);
    var model = new TransformerBlock(seed: 1);
    var opt = new Adam(3e-4f);
    Report("e_transformer", "\"impl_detail\": \"manual\", \"seq\": 128, \"d_model\": 256, \"heads\": 4, \"d_ff\": 1024, \"optimizer\": \"Adam(lr=3e-4)\"",
        batch, 5, 0.5, 15, () => model.Step(x, target, opt), batch * TransformerBlock.T, "tokens");
}
