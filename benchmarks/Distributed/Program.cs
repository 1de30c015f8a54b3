using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Benchmarks.Peers;
using GraphNet;
using GraphNet.Distributed;
using GraphNet.Runtime;
using Samples.MnistMlp;

// Data-parallel training steps per second at a fixed global batch, on the ranks mpirun started (or one process): the
// MNIST MLP 784-256-256-10 (batch 128, SGD 0.01, as a_mlp) and the GPT block of e_transformer (B 16, T 128, d 256,
// Adam 3e-4). Each rank runs its shard of every global batch through DataParallel; rank 0 prints one JSON line per
// workload: steps/s (median of 5 repetitions), and on several ranks the time of one all-reduce of the gradients alone.
using var world = Communicator.World;
Measure(world, "mnist_mlp", new Mlp(seed: 1), (m, x, y, o) => m.Step(x, y, o), new Sgd(0.01f), 128, [784], labels: 10, steps: 40);
Measure(world, "gpt_block", new TransformerBlock(seed: 1), (m, x, y, o) => m.Step(x, y, o), new Adam(3e-4f), 16, [TransformerBlock.T, TransformerBlock.D], labels: 0, steps: 4);

static void Measure<TModel>(Communicator world, string name, TModel model, Func<TModel, Tensor, Tensor, Optimizer, float> step, Optimizer optimizer,
    int globalBatch, int[] example, int labels, int steps) where TModel : IModel
{
    int local = globalBatch * (world.Rank + 1) / world.Size - globalBatch * world.Rank / world.Size;
    var x = new Tensor([local, .. example]);
    new Rng(2, (ulong)world.Rank).FillNormal(x.Data, 0, 1);
    var y = labels > 0 ? new Tensor(local) : new Tensor(x.Shape);
    if (labels > 0) for (int i = 0; i < local; i++) y.Data[i] = i % labels;
    else new Rng(3, (ulong)world.Rank).FillNormal(y.Data, 0, 1);
    var dp = new DataParallel(model, optimizer, world);
    for (int i = 0; i < steps; i++) step(model, x, y, dp);
    var rates = new double[5];
    for (int r = 0; r < rates.Length; r++)
    {
        world.Barrier();
        var t = Stopwatch.GetTimestamp();
        for (int i = 0; i < steps; i++) step(model, x, y, dp);
        rates[r] = steps / Stopwatch.GetElapsedTime(t).TotalSeconds;
    }
    long floats = model.Parameters.ElementCount;
    double allReduceMs = double.NaN;
    if (world.Size > 1)
    {
        var gradients = new float[floats];
        var times = new double[20];
        for (int r = 0; r < times.Length; r++)
        {
            var t = Stopwatch.GetTimestamp();
            world.Sum(gradients);
            times[r] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        allReduceMs = times.Order().ElementAt(times.Length / 2);
    }
    if (world.IsRoot)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"bench\":\"{name}\",\"ranks\":{world.Size},\"threads\":{Workers.Threads},\"global_batch\":{globalBatch},\"parameters\":{floats},"
            + $"\"steps_per_s\":{rates.Order().ElementAt(2):F2},\"min\":{rates.Min():F2},\"max\":{rates.Max():F2},\"allreduce_ms\":{(double.IsNaN(allReduceMs) ? "null" : allReduceMs.ToString("F3", CultureInfo.InvariantCulture))}}}"));
}
