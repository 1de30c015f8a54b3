using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace GraphNet.Distributed;

/// <summary>
/// The ranks of a job and the collectives GraphNet runs between them. Under an MPI launcher (<c>mpirun</c>) it is the
/// MPI world, initialized on first use; otherwise a single rank that loads no native library and whose collectives do
/// nothing. Every collective is non-blocking underneath and waited for with a deadline (<see cref="Timeout"/>): if it has
/// not completed by then, this rank names the ranks that never reached it (each rank tells every other one when it
/// arrives at a collective: a few bytes per peer), prints that to stderr and aborts the whole job
/// (<c>MPI_Abort</c>, exit code 1). A rank that dies is reported by <c>mpirun</c>, which ends the others at once.
/// All collectives are called from one thread, in the same order on every rank; a rank that runs a different
/// collective than the others is named too. Dispose it (<c>using var world = Communicator.World;</c>) so that MPI is
/// finalized after a last barrier.
/// </summary>
public sealed unsafe class Communicator : IDisposable
{
    private static readonly object Gate = new();
    private static Communicator? _world;
    private const int ArrivalTag = 7701;

    private readonly bool _mpi;
    private nint[] _requests = GC.AllocateArray<nint>(16, pinned: true);
    private int _count, _peers;
    private readonly long* _token;    // [round, kind] this rank sends on arriving at a collective
    private readonly long* _arrivals; // [round, kind] received from each rank
    private long _round;
    private Collective _kind;
    private string _what = "";
    private long _index;
    private bool _disposed;

    private Communicator(bool mpi)
    {
        _mpi = mpi;
        Size = 1;
        if (!mpi) return;
        MpiLibrary.Load();
        int flag, rank, size;
        MpiLibrary.Check(MpiLibrary.Initialized(&flag), "MPI_Initialized");
        if (flag == 0) MpiLibrary.Check(MpiLibrary.Init(null, null), "MPI_Init");
        MpiLibrary.Check(MpiLibrary.CommRank(MpiLibrary.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(MpiLibrary.CommSize(MpiLibrary.CommWorld, &size), "MPI_Comm_size");
        (Rank, Size) = (rank, size);
        _token = (long*)NativeMemory.AllocZeroed(2 * sizeof(long));
        _arrivals = (long*)NativeMemory.AllocZeroed((nuint)(2 * size * sizeof(long)));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    /// <summary>
    /// This process's job: the MPI world when an MPI launcher started it (<see cref="Launched"/>), else a single rank.
    /// </summary>
    public static Communicator World
    {
        get { lock (Gate) return _world ??= new Communicator(Launched); }
    }

    /// <summary>Whether an MPI launcher started this process (Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK).</summary>
    public static bool Launched =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>This process's rank, 0 to <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of ranks.</summary>
    public int Size { get; }

    /// <summary>Rank 0: the one that logs and writes checkpoints.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>
    /// How long a collective may wait for the other ranks before the job is aborted: <c>GRAPHNET_MPI_TIMEOUT</c> seconds, else
    /// 300 s. It must exceed the longest time one rank spends between two collectives that the others do not (rank 0
    /// evaluating or writing a checkpoint while they wait at the next step).
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("GRAPHNET_MPI_TIMEOUT"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 300);

    /// <summary>Adds <paramref name="values"/> elementwise over all ranks, in place, on every rank.</summary>
    public void Sum(Span<float> values) => Sum(values, "a sum over ranks", 0);

    internal void Sum(Span<float> values, string what, long index)
    {
        fixed (float* p = values)
        {
            Begin(Collective.Sum, what, index);
            AllReduce(p, values.Length);
            End();
        }
    }

    /// <summary>Sums the buckets over the ranks, in place: each is packed (its groups scaled by <paramref name="scale"/>) and sent in turn.</summary>
    internal void Sum(Buckets buckets, ReadOnlySpan<float> scale, string what, long index)
    {
        Begin(Collective.Step, what, index);
        for (int b = 0; b < buckets.Count; b++)
        {
            buckets.Pack(b, scale);
            AllReduce(buckets.Address(b), buckets.Length(b));
            Progress();
        }
        End();
    }

    /// <summary>Copies rank 0's arrays (laid out in <paramref name="buckets"/>, with no bases) to every rank.</summary>
    internal void BroadcastFromRoot(Buckets buckets, string what)
    {
        Span<float> unscaled = [1f];
        Begin(Collective.Broadcast, what, 0);
        for (int b = 0; b < buckets.Count; b++)
        {
            if (IsRoot) buckets.Pack(b, unscaled);
            Broadcast(buckets.Address(b), buckets.Length(b) * sizeof(float));
        }
        End();
        if (!IsRoot)
            for (int b = 0; b < buckets.Count; b++) buckets.Unpack(b, unscaled);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on rank 0 while the others wait; its exception is rethrown there and every other rank
    /// throws an <see cref="IOException"/> naming <paramref name="what"/> ("the write of the checkpoint 'x' on rank 0").
    /// </summary>
    internal void OnRoot(Action action, string what)
    {
        if (Size == 1) { action(); return; }
        Exception? error = null;
        if (IsRoot)
            try { action(); }
            catch (Exception e) { error = e; }
        int ok = error is null ? 1 : 0;
        Begin(Collective.Agree, what, 0);
        Broadcast(&ok, sizeof(int));
        End();
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        if (ok == 0) throw new IOException($"{char.ToUpperInvariant(what[0])}{what[1..]} failed; rank 0's output says why.");
    }

    /// <summary>Waits until every rank has called it (or aborts the job after <see cref="Timeout"/>).</summary>
    public void Barrier()
    {
        Begin(Collective.Barrier, "a barrier", 0);
        End();
    }

    /// <summary>Prints <paramref name="message"/> to stderr and ends every rank of the job with exit code <paramref name="code"/>.</summary>
    public void Abort(string message, int code = 1)
    {
        Console.Out.Flush();
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        _disposed = true;
        if (_mpi) MpiLibrary.Abort(MpiLibrary.CommWorld, code);
        Environment.Exit(code);
    }

    /// <summary>A last barrier (with the deadline), then MPI_Finalize. The communicator is unusable afterwards.</summary>
    public void Dispose()
    {
        if (!_mpi || _disposed) return;
        Barrier();
        _disposed = true;
        MpiLibrary.Check(MpiLibrary.Finalize(), "MPI_Finalize");
    }

    /// <summary>What a collective is, sent with each arrival so that ranks running different collectives are told apart.</summary>
    internal enum Collective { Step = 1, Average, Broadcast, Barrier, Sum, Agree }

    /// <summary>
    /// Starts a collective round: posts a receive for each peer's arrival and sends this rank's. <paramref name="what"/>
    /// and <paramref name="index"/> describe the round in errors ("the gradient all-reduce of step", 17).
    /// </summary>
    internal void Begin(Collective kind, string what, long index)
    {
        if (!_mpi) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        (_kind, _what, _index, _count) = (kind, what, index, 0);
        _round++;
        _token[0] = _round;
        _token[1] = (long)kind;
        for (int peer = 0; peer < Size; peer++)
            if (peer != Rank)
                MpiLibrary.Check(MpiLibrary.Irecv(_arrivals + 2 * peer, 2 * sizeof(long), MpiLibrary.Byte, peer, ArrivalTag, MpiLibrary.CommWorld, NextRequest()), "MPI_Irecv");
        _peers = _count;
        for (int peer = 0; peer < Size; peer++)
            if (peer != Rank)
                MpiLibrary.Check(MpiLibrary.Isend(_token, 2 * sizeof(long), MpiLibrary.Byte, peer, ArrivalTag, MpiLibrary.CommWorld, NextRequest()), "MPI_Isend");
    }

    /// <summary>Starts a sum over ranks of <paramref name="count"/> floats in place; the memory must not move until <see cref="End"/>.</summary>
    internal void AllReduce(float* data, int count)
    {
        if (_mpi) MpiLibrary.Check(MpiLibrary.Iallreduce(MpiLibrary.InPlace, data, count, MpiLibrary.Float, MpiLibrary.Sum, MpiLibrary.CommWorld, NextRequest()), "MPI_Iallreduce");
    }

    /// <summary>Starts a copy of rank 0's <paramref name="bytes"/> bytes to every rank; the memory must not move until <see cref="End"/>.</summary>
    internal void Broadcast(void* data, int bytes)
    {
        if (_mpi) MpiLibrary.Check(MpiLibrary.Ibcast(data, bytes, MpiLibrary.Byte, 0, MpiLibrary.CommWorld, NextRequest()), "MPI_Ibcast");
    }

    /// <summary>Lets MPI move the round's messages along (Open MPI progresses non-blocking collectives inside MPI calls).</summary>
    internal void Progress()
    {
        int done;
        if (_mpi) MpiLibrary.Check(MpiLibrary.Testall(_count, Requests(), &done, null), "MPI_Testall");
    }

    /// <summary>Waits for the round with the deadline: spins briefly, then yields, then sleeps a millisecond between tests.</summary>
    internal void End()
    {
        if (!_mpi) return;
        long start = Stopwatch.GetTimestamp(), deadline = start + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        for (int polls = 0; ; polls++)
        {
            int done;
            MpiLibrary.Check(MpiLibrary.Testall(_count, Requests(), &done, null), "MPI_Testall");
            if (done != 0) break;
            long now = Stopwatch.GetTimestamp();
            if (now > deadline) Abort(Lost());
            if (now - start > Stopwatch.Frequency / 100) Thread.Sleep(1);
            else if (polls > 1000) Thread.Yield();
        }
        for (int peer = 0; peer < Size; peer++)
            if (peer != Rank && (_arrivals[2 * peer] != _round || _arrivals[2 * peer + 1] != (long)_kind))
                Abort($"GraphNet.Distributed: rank {Rank} of {Size} ran {Describe()} (collective #{_round}) while rank {peer} ran "
                    + $"{(Collective)_arrivals[2 * peer + 1]} (its collective #{_arrivals[2 * peer]}): every rank must run the same collectives in the same order.");
    }

    /// <summary>The abort message after a deadline: which ranks never arrived at the round.</summary>
    private string Lost()
    {
        var lost = new System.Collections.Generic.List<int>();
        for (int i = 0, peer = 0; i < _peers; i++, peer++)
        {
            if (peer == Rank) peer++;
            int arrived;
            MpiLibrary.Check(MpiLibrary.Test(Requests() + i, &arrived, null), "MPI_Test");
            if (arrived == 0) lost.Add(peer);
        }
        string seconds = Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        return lost.Count > 0
            ? $"GraphNet.Distributed: rank {Rank} of {Size} waited {seconds} s in {Describe()}: lost rank{(lost.Count > 1 ? "s" : "")} "
                + $"{string.Join(", ", lost)} (dead, hung or too slow; raise GRAPHNET_MPI_TIMEOUT if it was only slow). Aborting the job."
            : $"GraphNet.Distributed: rank {Rank} of {Size} waited {seconds} s in {Describe()}: every rank arrived but it did not complete "
                + "(a network failure between the ranks?). Aborting the job.";
    }

    private string Describe() => _index == 0 ? _what : string.Create(CultureInfo.InvariantCulture, $"{_what} {_index}");

    private nint* Requests() => (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_requests));

    private nint* NextRequest()
    {
        if (_count == _requests.Length)
        {
            // MPI writes a request's handle during the call that posts it and keeps no pointer into this array
            var grown = GC.AllocateArray<nint>(_requests.Length * 2, pinned: true);
            _requests.AsSpan().CopyTo(grown);
            _requests = grown;
        }
        return Requests() + _count++;
    }
}
