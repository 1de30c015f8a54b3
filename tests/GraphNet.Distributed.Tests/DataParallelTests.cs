using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace GraphNet.Distributed.Tests;

/// <summary>The runs several tests compare against, each made once: training on two ranks and alone, and an uninterrupted checkpointed run.</summary>
public sealed class Runs
{
    private readonly Lazy<string> _training = new(() =>
    {
        var dir = Mpi.NewFolder();
        Mpi.Succeeds(Mpi.Ranks(2, ["train", dir]));
        Mpi.Succeeds(Mpi.Alone("reference", dir));
        return dir;
    });

    private readonly Lazy<string> _checkpointed = new(() =>
    {
        var dir = Mpi.NewFolder();
        Mpi.Succeeds(Mpi.Ranks(2, ["checkpointed", dir, "none"]));
        return dir;
    });

    /// <summary>{mlp,convbn}.rank{0,1} (two ranks), {mlp,convbn}.single (one process, batch G), convbn.accumulated.</summary>
    public string Training => _training.Value;

    /// <summary>ckpt.rank0 (after epoch 1) and final.rank{0,1} (after epoch 2).</summary>
    public string Checkpointed => _checkpointed.Value;
}

/// <summary>
/// Data-parallel training on two local ranks under mpirun (tests/GraphNet.Distributed.Worker: 249 examples, global batch
/// 64, Adam 0.01, two epochs = 8 steps, buckets of 100 floats so that tensors span several).
/// </summary>
public sealed class DataParallelTests(Runs runs) : IClassFixture<Runs>
{
    /// <summary>
    /// The MLP on two ranks (shards of 32, and 28 + 29 in the last batch) ends within 1e-6 of one process (observed: 1.2e-7, one ulp of the largest weight) with the whole
    /// batch: the gradients are the same sums grouped differently (each rank's GEMM sums its half, the all-reduce adds the
    /// halves), so they agree to float rounding, not bit for bit. The averaged losses agree the same way.
    /// </summary>
    [Fact]
    public void MlpOnTwoRanksMatchesOneProcessWithTheGlobalBatch()
    {
        var (two, meta) = Mpi.Read(runs.Training, "mlp.rank0");
        var (one, oneMeta) = Mpi.Read(runs.Training, "mlp.single");
        foreach (var (name, t) in one)
        {
            float worst = t.Data.Zip(two[name].Data, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst <= 1e-6f, $"{name}: two ranks differ from one process by up to {worst}.");
        }
        var losses = Losses(meta);
        var single = Losses(oneMeta);
        Assert.Equal(single.Length, losses.Length);
        for (int i = 0; i < losses.Length; i++) Assert.True(Math.Abs(losses[i] - single[i]) <= 1e-5, $"step {i + 1}: loss {losses[i]} vs {single[i]}");
    }

    /// <summary>
    /// The conv net with batch norm and dropout normalizes each shard by its own statistics, so the reference is one process
    /// that runs the two shards' steps separately (their dropout streams base + rank + 2·step), sums gradients and the running
    /// statistics' changes weighted by shard size, scales by 1/total and makes one update: bit for bit the same, losses included
    /// (two ranks add in one order). One process with the whole batch normalizes over 64 and differs. A buffer that no step
    /// changes keeps its initial bits (the buffers travel as changes, so shards of 28 and 29 do not round it).
    /// </summary>
    [Fact]
    public void ConvNetWithBatchNormOnTwoRanksEqualsItsShardsAccumulatedBitwise()
    {
        var (two, meta) = Mpi.Read(runs.Training, "convbn.rank0");
        var (accumulated, accumulatedMeta) = Mpi.Read(runs.Training, "convbn.accumulated");
        Assert.Equal(7, accumulated.Count); // four parameters, three buffers
        var (untrained, _) = Mpi.Read(runs.Training, "convbn.untrained");
        Assert.True(untrained["constant"].Data.SequenceEqual(two["constant"].Data), "A buffer that no step changes must stay bit for bit.");
        foreach (var (name, t) in accumulated) Assert.True(t.Data.SequenceEqual(two[name].Data), $"{name} differs.");
        Assert.Equal(Losses(accumulatedMeta), Losses(meta));
        var (single, _) = Mpi.Read(runs.Training, "convbn.single");
        Assert.False(single["mean"].Data.SequenceEqual(two["mean"].Data), "Per-shard batch statistics should differ from the whole batch's.");
    }

    /// <summary>
    /// Every rank applies the same update: parameters and buffers are bitwise equal on both ranks after training. A warm
    /// data-parallel step and loss average allocate nothing.
    /// </summary>
    [Fact]
    public void RanksHoldTheSameParametersAndBuffersAndWarmStepsAllocateNothing()
    {
        foreach (var model in new[] { "mlp", "convbn" })
        {
            var (zero, meta) = Mpi.Read(runs.Training, model + ".rank0");
            var (one, oneMeta) = Mpi.Read(runs.Training, model + ".rank1");
            Assert.Equal("8", meta["steps"]);
            Assert.Equal("0", meta["allocated"]);
            Assert.Equal("0", oneMeta["allocated"]);
            foreach (var (name, t) in zero) Assert.True(t.Data.SequenceEqual(one[name].Data), $"{model}.{name} differs between the ranks.");
        }
    }

    /// <summary>
    /// GPU ranks: each rank trains through its model's device runner (ILGPU's CPU accelerator here), which hands the
    /// data-parallel optimizer to the host: parameters and gradients staged through host memory, buffers through the
    /// model's device link. One epoch of both models ends within 1e-6 of the same ranks on the CPU backend (the device
    /// kernels sum in their own order), the ranks bitwise equal, the constant buffer untouched.
    /// </summary>
    [Fact]
    public void DeviceRanksStageThroughTheHostAndMatchCpuRanks()
    {
        var dir = Mpi.NewFolder();
        Mpi.Succeeds(Mpi.Ranks(2, ["device", dir]));
        foreach (var model in new[] { "mlp", "convbn" })
        {
            var (device, meta) = Mpi.Read(dir, model + ".device.rank0");
            var (other, _) = Mpi.Read(dir, model + ".device.rank1");
            var (host, _) = Mpi.Read(dir, model + ".host.rank0");
            Assert.Equal("4", meta["steps"]);
            foreach (var (name, t) in host)
            {
                float worst = t.Data.Zip(device[name].Data, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(worst <= 1e-6f, $"{model}.{name}: the device ranks differ from the CPU ranks by up to {worst}.");
                Assert.True(device[name].Data.SequenceEqual(other[name].Data), $"{model}.{name} differs between the device ranks.");
            }
        }
        var (untrained, _) = Mpi.Read(dir, "convbn.device.rank0");
        Assert.True(untrained["constant"].Data.SequenceEqual(Mpi.Read(dir, "convbn.host.rank0").Tensors["constant"].Data));
    }

    /// <summary>103 examples in global batches of 10 over two ranks, three epochs: each example exactly once per epoch, the ranks' shards disjoint, the same number of batches on each.</summary>
    [Fact]
    public void ShardsCoverEveryExampleOncePerEpoch()
    {
        var dir = Mpi.NewFolder();
        Mpi.Succeeds(Mpi.Ranks(2, ["shards", dir, "103"]));
        var lines = Enumerable.Range(0, 2).Select(r => File.ReadAllLines(Path.Combine(dir, $"shards.rank{r}.txt"))).ToArray();
        Assert.Equal(lines[0].Length, lines[1].Length);
        Assert.Equal(33, lines[0].Length);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = lines.SelectMany(l => l).Where(l => l.StartsWith($"{epoch}:", StringComparison.Ordinal))
                .SelectMany(l => l.Split(' ').Skip(1)).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 103), seen);
        }
        Assert.NotEqual(lines[0][0], lines[0][11]); // reshuffled per epoch
    }

    /// <summary>
    /// The checkpoint after epoch 1 is written by rank 0 only (each rank named its own path; only rank 0's exists, and no
    /// temporary file is left), and two ranks that load it into a model with other values (same seed: it keys the dropout stream) and run epoch 2 end
    /// bitwise where the uninterrupted run ended (parameters, batch-norm buffers, Adam's moments and step, dropout streams).
    /// </summary>
    [Fact]
    public void OnlyRankZeroWritesTheCheckpointAndResumingContinuesIdentically()
    {
        var dir = runs.Checkpointed;
        Assert.True(File.Exists(Path.Combine(dir, "ckpt.rank0.safetensors")));
        Assert.False(File.Exists(Path.Combine(dir, "ckpt.rank1.safetensors")));
        Assert.Empty(Directory.GetFiles(dir, "*tmp*"));
        Resumes(Path.Combine(dir, "ckpt.rank0.safetensors"));
    }

    /// <summary>
    /// Rank 1 killed (SIGKILL) at its second step of epoch 2: the job ends non-zero within 10 s of the kill, mpirun's
    /// message naming rank 1; the checkpoint written before it resumes the job to the uninterrupted result.
    /// </summary>
    [Fact]
    public void KilledRankEndsTheJobNamingItAndItsCheckpointResumes()
    {
        var dir = Mpi.NewFolder();
        var run = Mpi.Ranks(2, ["checkpointed", dir, "kill"]);
        Stopped(run, TimeSpan.FromSeconds(10), @"rank 1\b");
        Resumes(Path.Combine(dir, "ckpt.rank0.safetensors"));
    }

    /// <summary>
    /// Rank 1 hangs at its second step of epoch 2: with GRAPHNET_MPI_TIMEOUT=2, rank 0 gives up on the gradient all-reduce
    /// after 2 s, names the lost rank and aborts the job (non-zero) within 10 s of the hang.
    /// </summary>
    [Fact]
    public void HungRankIsNamedAndTheJobAbortsAfterTheTimeout()
    {
        var dir = Mpi.NewFolder();
        var run = Mpi.Ranks(2, ["checkpointed", dir, "hang"], ("GRAPHNET_MPI_TIMEOUT", "2"));
        Stopped(run, TimeSpan.FromSeconds(10), @"rank 0 of 2 waited 2 s in the gradient all-reduce of step 6: lost rank 1 \(dead, hung");
    }

    /// <summary>A job that failed: non-zero, a message matching <paramref name="pattern"/>, ended within <paramref name="bound"/> of rank 1's fault.</summary>
    private static void Stopped(Run run, TimeSpan bound, string pattern)
    {
        Assert.NotEqual(0, run.ExitCode);
        Assert.Matches(pattern, run.Output);
        var at = Regex.Match(run.Output, @"rank 1 stops at (\d+)");
        Assert.True(at.Success, run.Output);
        var fault = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(at.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(run.Ended - fault < bound, $"The job ended {(run.Ended - fault).TotalSeconds:F1} s after the fault:\n{run.Output}");
    }

    /// <summary>Two ranks resume from <paramref name="checkpoint"/> and end bitwise where the uninterrupted run ended.</summary>
    private void Resumes(string checkpoint)
    {
        var dir = Mpi.NewFolder();
        Mpi.Succeeds(Mpi.Ranks(2, ["resume", dir, checkpoint, "resumed"]));
        var (expected, expectedMeta) = Mpi.Read(runs.Checkpointed, "final.rank0");
        for (int r = 0; r < 2; r++)
        {
            var (actual, meta) = Mpi.Read(dir, $"resumed.rank{r}");
            Assert.Equal(expectedMeta["steps"], meta["steps"]);
            foreach (var (name, t) in expected) Assert.True(t.Data.SequenceEqual(actual[name].Data), $"rank {r}: {name} differs after resuming.");
        }
    }

    private static double[] Losses(Dictionary<string, string> meta) =>
        meta["losses"].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
