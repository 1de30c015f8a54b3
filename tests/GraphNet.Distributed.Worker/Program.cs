using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GraphNet;
using GraphNet.Data;
using GraphNet.Distributed;
using GraphNet.Distributed.Worker;

// The distributed tests' worker. Under mpirun each rank runs the same scenario; alone it is one rank (the references).
//   train DIR                    both models data-parallel, 2 epochs: DIR/{mlp,convbn}.rank{r}.safetensors
//   device DIR                   both models for 1 epoch through the device runners on ILGPU's CPU accelerator and on the
//                                host: DIR/{mlp,convbn}.{device,host}.rank{r}
//   reference DIR                one process: batch G (DIR/{mlp,convbn}.single), the conv net's shards accumulated (DIR/convbn.accumulated)
//                                and untrained (DIR/convbn.untrained)
//   shards DIR N                 the examples each rank's batches hold, per epoch: DIR/shards.rank{r}.txt
//   checkpointed DIR FAULT       the conv net: epoch 1, checkpoint (DIR/ckpt.rank{r}.safetensors: rank 0's only), epoch 2 with
//                                FAULT none | kill | hang on rank 1 at its second step: DIR/final.rank{r}.safetensors
//   resume DIR CKPT NAME         a conv net with other values loads CKPT and runs epoch 2: DIR/NAME.rank{r}.safetensors
using var world = Communicator.World;
string dir = args[1];
switch (args[0])
{
    case "train":
        DataParallelRun(world, new Mlp(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.MlpData(), Path.Combine(dir, "mlp"));
        DataParallelRun(world, new ConvBn(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.ConvData(), Path.Combine(dir, "convbn"));
        break;
    case "device":
        using (var accelerator = GraphNet.Gpu.GpuDevice.CpuAccelerator())
        {
            DataParallelRun(world, new Mlp(seed: 1), (m, x, y, o) => m.OnGpu(accelerator).Step(x, y, o), Job.MlpData(), Path.Combine(dir, "mlp.device"), epochs: 1);
            DataParallelRun(world, new Mlp(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.MlpData(), Path.Combine(dir, "mlp.host"), epochs: 1);
            DataParallelRun(world, new ConvBn(seed: 1), (m, x, y, o) => m.OnGpu(accelerator).Step(x, y, o), Job.ConvData(), Path.Combine(dir, "convbn.device"), epochs: 1);
            DataParallelRun(world, new ConvBn(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.ConvData(), Path.Combine(dir, "convbn.host"), epochs: 1);
        }
        break;
    case "reference":
        SingleRun(new Mlp(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.MlpData(), Path.Combine(dir, "mlp.single"));
        SingleRun(new ConvBn(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.ConvData(), Path.Combine(dir, "convbn.single"));
        AccumulatedRun(new ConvBn(seed: 1), (m, x, y, o) => m.Step(x, y, o), Job.ConvData(), Path.Combine(dir, "convbn.accumulated"));
        Job.Write(new ConvBn(seed: 1), Path.Combine(dir, "convbn.untrained"), null, 0);
        break;
    case "shards":
        Shards(world, dir, int.Parse(args[2], CultureInfo.InvariantCulture));
        break;
    case "checkpointed":
        Checkpointed(world, dir, args[2]);
        break;
    case "resume":
        var model = new ConvBn(seed: 1); // the seed keys the dropout stream; the values come from the checkpoint
        foreach (var p in model.Parameters) Array.Fill(p.Value.Data, 0.5f);
        var dp = new DataParallel(model, Job.Optimizer(), world);
        dp.Load(args[2]);
        Epoch(dp, model, Job.ConvData(), 2, _ => { });
        Job.Write(model, Path.Combine(dir, args[3]), world.Rank, dp.Steps);
        break;
    default:
        throw new ArgumentException($"Unknown scenario '{args[0]}'.");
}

static void DataParallelRun<TModel>(Communicator world, TModel model, Func<TModel, Tensor, Tensor, Optimizer, float> step, Dataset data, string file,
    int epochs = Job.Epochs) where TModel : IModel
{
    var dp = new DataParallel(model, Job.Optimizer(), world) { BucketFloats = 100 }; // small buckets: tensors span several
    var losses = new List<float>(Job.Epochs * Job.GlobalBatch);
    long allocated = 0;
    for (int epoch = 1; epoch <= epochs; epoch++)
        foreach (var (x, y) in dp.Batches(data, Job.GlobalBatch, seed: 3, epoch: epoch))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            losses.Add(dp.Average(step(model, x, y, dp)));
            if (epoch > 1) allocated += GC.GetAllocatedBytesForCurrentThread() - before; // warm in the second epoch
        }
    Job.Write(model, file, world.Rank, dp.Steps, losses, allocated);
}

static void SingleRun<TModel>(TModel model, Func<TModel, Tensor, Tensor, Optimizer, float> step, Dataset data, string file) where TModel : IModel
{
    var opt = Job.Optimizer();
    var losses = new List<float>();
    for (int epoch = 1; epoch <= Job.Epochs; epoch++)
        foreach (var (x, y) in data.Batches(Job.GlobalBatch, seed: 3, epoch: epoch))
            losses.Add(step(model, x, y, opt));
    Job.Write(model, file, null, opt.Steps, losses);
}

// What two ranks compute, written out in one process: each shard's gradients (and batch statistics, and dropout draws
// base + shard + 2·step) on its own; gradients and the buffers' changes summed weighted by shard size, times 1/total
// (the buffers' added to where they were); one update.
static void AccumulatedRun<TModel>(TModel model, Func<TModel, Tensor, Tensor, Optimizer, float> step, Dataset data, string file) where TModel : IModel
{
    const int Ranks = 2;
    var opt = Job.Optimizer();
    var parameters = model.Parameters;
    var buffers = model.Buffers;
    ulong draws = model.RandomDraws;
    var losses = new List<float>();
    for (int epoch = 1; epoch <= Job.Epochs; epoch++)
    {
        var shards = Enumerable.Range(0, Ranks).Select(r => data.Batches(Job.GlobalBatch, seed: 3, epoch: epoch, rank: r, ranks: Ranks)
            .Select(b => (X: b.Features.Clone(), Y: b.Targets.Clone(), N: (float)b.Count)).ToList()).ToList();
        for (int s = 0; s < shards[0].Count; s++)
        {
            var before = buffers.Select(b => (float[])b.Value.Data.Clone()).ToList();
            var grads = parameters.Select(p => new float[p.Grad.Length]).ToList();
            var stats = buffers.Select(b => new float[b.Value.Length]).ToList();
            float total = 0, loss = 0;
            for (int r = 0; r < Ranks; r++)
            {
                var (x, y, n) = shards[r][s];
                for (int i = 0; i < buffers.Count; i++) before[i].CopyTo(buffers[i].Value.Data, 0);
                model.RandomDraws = draws + (ulong)r;
                loss += n * step(model, x, y, Job.KeepGradients);
                for (int i = 0; i < parameters.Count; i++) Job.AddScaled(grads[i], parameters[i].Grad.Data, n);
                for (int i = 0; i < buffers.Count; i++) Job.AddScaled(stats[i], Job.Minus(buffers[i].Value.Data, before[i]), n);
                total += n;
            }
            for (int i = 0; i < parameters.Count; i++) Job.Scaled(grads[i], 1f / total, parameters[i].Grad.Data);
            for (int i = 0; i < buffers.Count; i++) Job.Scaled(stats[i], 1f / total, buffers[i].Value.Data, plus: before[i]);
            model.RandomDraws = draws += Ranks;
            opt.Step(parameters);
            losses.Add(loss / total);
        }
    }
    Job.Write(model, file, null, opt.Steps, losses);
}

static void Shards(Communicator world, string dir, int count)
{
    var data = new Dataset(Tensor.FromArray(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), count, 1), new Tensor(count));
    var dp = new DataParallel(new Mlp(), new Sgd(0.1f), world);
    using var file = new StreamWriter(Path.Combine(dir, $"shards.rank{world.Rank}.txt"));
    for (int epoch = 0; epoch < 3; epoch++)
        foreach (var batch in dp.Batches(data, 10, seed: 5, epoch: epoch))
        {
            if (dp.LocalSamples != batch.Count) throw new InvalidOperationException("LocalSamples is not the shard's size.");
            file.WriteLine(string.Join(" ", batch.Features.Data.Select(v => ((int)v).ToString(CultureInfo.InvariantCulture)).Prepend($"{epoch}:{batch.Index}:")));
        }
}

static void Checkpointed(Communicator world, string dir, string fault)
{
    var model = new ConvBn(seed: 1);
    var dp = new DataParallel(model, Job.Optimizer(), world);
    var data = Job.ConvData();
    Epoch(dp, model, data, 1, _ => { });
    dp.Save(Path.Combine(dir, $"ckpt.rank{world.Rank}.safetensors"));
    Epoch(dp, model, data, 2, index =>
    {
        if (index != 1 || world.Rank != 1 || fault == "none") return;
        Console.WriteLine($"rank 1 stops at {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        Console.Out.Flush();
        if (fault == "kill") System.Diagnostics.Process.GetCurrentProcess().Kill();
        if (fault == "hang") Thread.Sleep(Timeout.Infinite);
    });
    Job.Write(model, Path.Combine(dir, "final"), world.Rank, dp.Steps);
}

static void Epoch(DataParallel dp, ConvBn model, Dataset data, int epoch, Action<int> beforeStep)
{
    foreach (var batch in dp.Batches(data, Job.GlobalBatch, seed: 3, epoch: epoch))
    {
        beforeStep(batch.Index);
        float loss = dp.Average(model.Step(batch.Features, batch.Targets, dp));
        if (dp.World.IsRoot) Console.WriteLine(FormattableString.Invariant($"epoch {epoch} step {dp.Steps}: loss {loss:F5}"));
    }
}
