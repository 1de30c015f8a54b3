using System;
using System.Collections.Generic;
using System.Linq;
using GraphNet.Data;

namespace GraphNet.Distributed;

/// <summary>
/// Data-parallel training over the ranks of a <see cref="Communicator"/>: an optimizer that wraps the one the model would
/// use alone. Pass it to the generated training step (<c>model.Step(x, y, dataParallel)</c>); each rank runs the step on
/// its shard of the global batch, and when the step hands over its gradients this optimizer averages them over the ranks
/// (weighted by each shard's size, so the result is the gradient of the global batch's mean loss), averages the model's
/// buffers the same way, and then runs the wrapped optimizer, which makes the same update on every rank.
/// <para>
/// Creating it copies rank 0's parameters, buffers, optimizer state and step count to every rank. Gradients and buffers
/// travel flattened into pinned buckets of <see cref="BucketFloats"/> floats, all-reduced by non-blocking MPI calls, each
/// bucket sent as soon as it is packed. They do not overlap the backward pass: the generated step calls the optimizer
/// once, after the whole backward. Batch norm normalizes each rank's shard by the shard's own statistics (as PyTorch's
/// DistributedDataParallel without SyncBatchNorm); the running statistics are then averaged over the ranks after every
/// step (weighted by shard size: the running mean follows the global batch's mean exactly, the running variance the mean
/// of the shards' variances), so every rank holds the same buffers; a buffer that no step changes is left bit for bit.
/// Random draws in the step (dropout) use a stream per rank: rank r takes the model's draws r, r + ranks, r + 2·ranks, ...
/// </para>
/// </summary>
public sealed class DataParallel : Optimizer
{
    private readonly IModel _model;
    private readonly bool _hasBuffers;
    private readonly float[][] _bufferBases; // the buffers as all ranks last agreed on them
    private readonly float[] _count = new float[1];
    private IReadOnlyList<Parameter>? _lastParameters;
    private Buckets? _buckets;
    private ulong _draws;

    /// <summary>Wraps <paramref name="optimizer"/> for <paramref name="model"/> on <paramref name="world"/> (default: <see cref="Communicator.World"/>) and copies rank 0's state to every rank.</summary>
    public DataParallel(IModel model, Optimizer optimizer, Communicator? world = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        if (optimizer is DataParallel) throw new ArgumentException("The optimizer is already data-parallel.", nameof(optimizer));
        World = world ?? Communicator.World;
        _bufferBases = model.Buffers.Select(b => new float[b.Value.Length]).ToArray();
        _hasBuffers = _bufferBases.Length > 0;
        Synchronize();
    }

    /// <summary>The wrapped optimizer, which makes the update.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The ranks the gradients are averaged over.</summary>
    public Communicator World { get; }

    /// <summary>The largest all-reduce message, in floats (default 1 Mi: 4 MiB). Set it before the first step.</summary>
    public int BucketFloats { get; set; } = 1 << 20;

    /// <summary>
    /// How many examples this rank's next step sees: its gradients weigh that much in the average. <see cref="Batches"/> sets
    /// it; left null, every rank weighs the same (right when the shards are equal).
    /// </summary>
    public int? LocalSamples { get; set; }

    /// <summary>
    /// This rank's shard of each global batch of <paramref name="globalBatch"/> examples (see <see cref="Dataset.Batches"/>:
    /// the same seeded shuffle on every rank, each global batch cut into contiguous shards, every example seen once per
    /// epoch), setting <see cref="LocalSamples"/> to each shard's size.
    /// </summary>
    public IEnumerable<Batch> Batches(Dataset data, int globalBatch, bool shuffle = true, int seed = 0, int epoch = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (var batch in data.Batches(globalBatch, shuffle, seed, epoch, dropLast, World.Rank, World.Size))
        {
            LocalSamples = batch.Count;
            yield return batch;
        }
    }

    /// <summary>Averages the gradients and buffers over the ranks, then steps the wrapped optimizer.</summary>
    public override void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (World.Size > 1) AverageGradients(parameters);
        Optimizer.Step(parameters);
        Steps = Optimizer.Steps;
    }

    /// <summary>
    /// The mean over the ranks of <paramref name="local"/> (this rank's loss), weighted by <see cref="LocalSamples"/>: the
    /// global batch's mean loss. Every rank must call it, at the same point.
    /// </summary>
    public float Average(float local)
    {
        if (World.Size == 1) return local;
        float n = LocalSamples ?? 1;
        Span<float> sums = [local * n, n];
        World.Sum(sums, "the loss average of step", Steps);
        return sums[0] / sums[1];
    }

    /// <summary>
    /// Rank 0 writes the model, this optimizer's state and <paramref name="metadata"/> to <paramref name="path"/> (atomically,
    /// as <see cref="Checkpoint"/>); the other ranks wait for it, and an error on rank 0 is thrown on every rank.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        World.OnRoot(() => _model.Save(path, Optimizer, metadata), $"the write of the checkpoint '{path}' on rank 0");

    /// <summary>
    /// Rank 0 reads a checkpoint (from <see cref="Save"/>, or any saved with the wrapped optimizer's kind) and every rank
    /// takes its parameters, buffers, optimizer state and step count, so the other machines need no copy of the file.
    /// </summary>
    public void Load(string path)
    {
        World.OnRoot(() => _model.Load(path, Optimizer), $"the read of the checkpoint '{path}' on rank 0");
        Synchronize();
    }

    public override IEnumerable<KeyValuePair<string, Tensor>> State(IReadOnlyList<Parameter> parameters) => Optimizer.State(parameters);

    public override void RestoreSteps(long steps)
    {
        Optimizer.RestoreSteps(steps);
        Steps = Optimizer.Steps;
    }

    /// <summary>Copies rank 0's parameters, buffers, optimizer state, step count and random-stream position to every rank.</summary>
    public void Synchronize()
    {
        _draws = _model.RandomDraws;
        if (World.Size > 1)
        {
            var parameters = _model.Parameters;
            var arrays = new List<(float[], int, float[]?)>();
            foreach (var p in parameters) arrays.Add((p.Value.Data, 0, null));
            foreach (var b in _model.Buffers) arrays.Add((b.Value.Data, 0, null));
            foreach (var s in Optimizer.State(parameters)) arrays.Add((s.Value.Data, 0, null));
            var scalars = new float[4];
            var counters = System.Runtime.InteropServices.MemoryMarshal.Cast<float, long>(scalars.AsSpan());
            (counters[0], counters[1]) = (Optimizer.Steps, (long)_draws);
            arrays.Add((scalars, 0, null));
            World.BroadcastFromRoot(new Buckets(arrays, BucketFloats), "the copy of rank 0's parameters, buffers and optimizer state");
            if (!World.IsRoot) Optimizer.RestoreSteps(counters[0]);
            Steps = Optimizer.Steps;
            _model.RandomDraws = _draws = (ulong)counters[1] + (ulong)World.Rank;
        }
        var buffers = _model.Buffers;
        for (int i = 0; i < _bufferBases.Length; i++) buffers[i].Value.Data.CopyTo(_bufferBases[i], 0);
    }

    private void AverageGradients(IReadOnlyList<Parameter> parameters)
    {
        if (!ReferenceEquals(parameters, _lastParameters)) (_buckets, _lastParameters) = (Layout(parameters), parameters);
        if (_hasBuffers) _ = _model.Buffers; // a device runner's buffers come back to the host first
        var buckets = _buckets!;
        float n = _count[0] = LocalSamples ?? 1;
        World.Sum(buckets, [n, 1f], "the gradient all-reduce of step", Steps + 1);
        Span<float> mean = [1f / buckets.Last, 1f];
        for (int b = 0; b < buckets.Count; b++) buckets.Unpack(b, mean);
        if (_model.RandomDraws == _draws + 1) _model.RandomDraws = _draws += (ulong)World.Size;
    }

    /// <summary>
    /// The gradients, then the buffers (as changes from what the ranks last agreed on, so that a buffer no step changes
    /// stays bit for bit), then the cell that carries this rank's weight (the last float).
    /// </summary>
    private Buckets Layout(IReadOnlyList<Parameter> parameters)
    {
        var arrays = new List<(float[], int, float[]?)>();
        foreach (var p in parameters) arrays.Add((p.Grad.Data, 0, null));
        var buffers = _model.Buffers;
        for (int i = 0; i < buffers.Count; i++) arrays.Add((buffers[i].Value.Data, 0, _bufferBases[i]));
        arrays.Add((_count, 1, null));
        return new Buckets(arrays, BucketFloats);
    }
}
