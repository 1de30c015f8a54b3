using System;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace GraphNet.Runtime;

/// <summary>
/// One piece of a parallel kernel: <see cref="Run"/> does task <c>task</c> of the kernel's split. Implemented by generated
/// code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IParallelJob
{
    /// <summary>Does task <paramref name="task"/> (0-based) of the kernel's split.</summary>
    void Run(int task);
}

/// <summary>
/// A kernel that sums the iterations of its outer loop into the same few outputs (a bias's gradient: the column sums of
/// [rows, n]): <see cref="Run"/> adds iterations [lo, hi) into <c>part</c>, which it clears first. Implemented by generated
/// code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IPartialJob
{
    /// <summary>Sums iterations <paramref name="lo"/> .. <paramref name="hi"/> − 1 of the outer loop into <paramref name="part"/>.</summary>
    void Run(int lo, int hi, Span<float> part);
}

/// <summary>
/// A kernel whose outer loop can be cut: <see cref="Run"/> does iterations [lo, hi). Implemented by generated code; not
/// part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IRangeJob
{
    /// <summary>Does iterations <paramref name="lo"/> .. <paramref name="hi"/> − 1 of the outer loop.</summary>
    void Run(int lo, int hi);
}

/// <summary>
/// The persistent worker pool kernels split their work over. Started once (one thread per core beyond the caller's),
/// it hands a job's tasks out through one shared counter; the calling thread takes tasks too. Workers spin for a
/// short while after a job (training steps run kernels back to back) and then sleep. Nothing allocates per call:
/// the job is a struct on the caller's stack, reached through a pointer while the caller waits for it.
/// A call from inside a job, or while another thread's job runs, runs its tasks inline.
/// </summary>
public static unsafe class Workers
{
    private static readonly object Gate = new();
    private static Thread[] _threads = Array.Empty<Thread>();
    private static int _threadCount = 1;

    // The current job. Its fields are written before the claim word is published and read only after a task of it
    // was claimed, so a worker never pairs one job's pointer with another job's invoker.
    private static void* _job;
    private static delegate*<void*, int, void> _invoke;
    // Claim word: generation (bits 40..63), task count (bits 20..39), next task (bits 0..19). A claim is a CAS
    // that bumps "next" while it is below the count; a finished job's word has next == count and grants nothing.
    private static long _claim;
    private static int _unfinished;
    private static int _busy;
    private static readonly SemaphoreSlim Wake = new(0);
    private static int _sleeping;
    private static Exception? _error;
    private const int MaxTasks = (1 << 20) - 1;

    [ThreadStatic] private static bool _inJob;
    private static bool _started;

    /// <summary>Threads kernels run on, the caller's included: GRAPHNET_THREADS, else one per core.</summary>
    public static int Threads
    {
        get { EnsureStarted(); return _threadCount; }
    }

    /// <summary>Sets the number of threads (1 = run every kernel on the calling thread).</summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must be at least 1.");
        lock (Gate)
        {
            for (int i = _threads.Length; i < threads - 1; i++)
            {
                var t = new Thread(Work) { IsBackground = true, Name = $"GraphNet worker {i + 1}" };
                Array.Resize(ref _threads, i + 1);
                _threads[i] = t;
                t.Start();
            }
            _threadCount = threads;
            Volatile.Write(ref _started, true);
        }
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref _started)) return;
        var env = Environment.GetEnvironmentVariable("GRAPHNET_THREADS");
        int n = int.TryParse(env, out var v) && v >= 1 ? v : Environment.ProcessorCount;
        lock (Gate)
            if (!_started) SetThreads(Math.Min(n, 64));
    }

    /// <summary>Runs <c>job.Run(0 .. tasks-1)</c> over the pool and returns when every task is done.</summary>
    /// <remarks><paramref name="job"/> must be a local of the caller (it is reached through its address).</remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void For<TJob>(int tasks, ref TJob job) where TJob : struct, IParallelJob
    {
        if (tasks <= 0) return;
        EnsureStarted();
        if (tasks == 1 || _threadCount == 1 || _inJob || tasks > MaxTasks || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < tasks; i++) job.Run(i);
            return;
        }
        _job = Unsafe.AsPointer(ref job);
        _invoke = &Invoke<TJob>;
        Volatile.Write(ref _unfinished, tasks);
        long gen = (Volatile.Read(ref _claim) >> 40) + 1;
        Interlocked.Exchange(ref _claim, ((gen & 0xFFFFFF) << 40) | ((long)tasks << 20));
        int sleeping = Volatile.Read(ref _sleeping);
        if (sleeping > 0) Wake.Release(Math.Min(sleeping, tasks - 1));
        _inJob = true;
        try
        {
            while (TryClaim(out int t)) RunClaimed(t);
        }
        finally
        {
            _inJob = false;
            var spin = new SpinWait();
            while (Volatile.Read(ref _unfinished) > 0) spin.SpinOnce(-1);
            Volatile.Write(ref _busy, 0);
        }
        if (Interlocked.Exchange(ref _error, null) is { } error) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Below this many elements an elementwise kernel runs on the calling thread: a split costs microseconds.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public const long SplitElements = 1 << 15;

    /// <summary>
    /// Runs a kernel's outer loop of <paramref name="extent"/> iterations, each over <paramref name="inner"/> elements:
    /// inline when small, else cut into ranges over the pool (several per thread when large, for balance). When the
    /// loop is the whole kernel (inner = 1) the cuts fall on multiples of 16, so the vector loop runs to each cut.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void ForRange<TJob>(ref TJob job, int extent, long inner) where TJob : struct, IRangeJob => ForRange(ref job, extent, inner, 1);

    /// <summary>
    /// As above for a kernel whose elements cost <paramref name="weight"/> simple ones each (the generator counts a
    /// transcendental as several): the split decision weighs the work, not the element count, so an LSTM cell's gates over
    /// a batch of 32 are shared out though they are only 8192 elements. The weight changes how many ranges there are, not
    /// where a flat loop may be cut (multiples of 16), so the results keep their bits.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static void ForRange<TJob>(ref TJob job, int extent, long inner, int weight) where TJob : struct, IRangeJob
    {
        long total = extent * inner * Math.Max(weight, 1);
        if (extent < 2 || total < SplitElements || Threads == 1) { job.Run(0, extent); return; }
        int align = inner == 1 ? 16 : 1;
        int units = (extent + align - 1) / align;
        int parts = Math.Min(units, _threadCount * (total >= 1 << 22 ? 4 : 1));
        if (parts < 2) { job.Run(0, extent); return; }
        var split = new RangeSplit<TJob> { Job = job, Extent = extent, Units = units, Align = align, Parts = parts };
        For(parts, ref split);
    }

    /// <summary>At most this many parts of rows for a column sum (<see cref="ForParts"/>).</summary>
    private const int MaxParts = 8;

    [ThreadStatic] private static float[]? _parts;

    /// <summary>
    /// A column sum (<see cref="IPartialJob"/>) of <paramref name="extent"/> rows of <paramref name="inner"/> elements into
    /// <paramref name="output"/>[0, <paramref name="size"/>): inline when small; else in parts of rows whose number and
    /// bounds follow from the sizes alone, each summed into a table of its own over the pool, the tables then added in
    /// order, so the result has the same bits on any thread count.
    /// </summary>
    public static void ForParts<TJob>(ref TJob job, int extent, long inner, int weight, float[] output, int size) where TJob : struct, IPartialJob
    {
        long total = extent * inner * Math.Max(weight, 1);
        // An even number of parts (two cores share them evenly), and none below 4·SplitElements: a sum of 6400 rows of 16
        // (0.07 ms) ran slower in two parts than on the caller.
        int parts = (int)Math.Min(Math.Min(MaxParts, total / (4 * SplitElements) * 2), extent);
        if (parts < 2) { job.Run(0, extent, output.AsSpan(0, size)); return; }
        int stride = (size + 15) & ~15; // each table on cache lines of its own: no line written by two threads
        var scratch = _parts is { } old && old.Length >= (long)parts * stride ? old : _parts = new float[parts * stride];
        var split = new PartSplit<TJob> { Job = job, Extent = extent, Parts = parts, Size = size, Stride = stride, Tables = scratch };
        For(parts, ref split);
        var sum = output.AsSpan(0, size);
        scratch.AsSpan(0, size).CopyTo(sum);
        for (int p = 1; p < parts; p++)
        {
            var t = scratch.AsSpan(p * stride, size);
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; j + 8 <= size; j += 8) (Vector256.Create(sum.Slice(j, 8)) + Vector256.Create(t.Slice(j, 8))).CopyTo(sum.Slice(j, 8));
            for (; j < size; j++) sum[j] += t[j];
        }
    }

    private struct PartSplit<TJob> : IParallelJob where TJob : struct, IPartialJob
    {
        public TJob Job;
        public int Extent, Parts, Size, Stride;
        public float[] Tables;

        public void Run(int task) =>
            Job.Run((int)((long)Extent * task / Parts), (int)((long)Extent * (task + 1) / Parts), Tables.AsSpan(task * Stride, Size));
    }

    private struct RangeSplit<TJob> : IParallelJob where TJob : struct, IRangeJob
    {
        public TJob Job;
        public int Extent, Units, Align, Parts;

        public void Run(int task)
        {
            int lo = (int)((long)Units * task / Parts) * Align, hi = (int)((long)Units * (task + 1) / Parts) * Align;
            Job.Run(Math.Min(lo, Extent), Math.Min(hi, Extent));
        }
    }

    private static void Invoke<TJob>(void* job, int task) where TJob : struct, IParallelJob => Unsafe.AsRef<TJob>(job).Run(task);

    private static bool Available(long c) => (c & MaxTasks) < ((c >> 20) & MaxTasks);

    private static bool TryClaim(out int task)
    {
        while (true)
        {
            long c = Volatile.Read(ref _claim);
            if (!Available(c)) { task = -1; return false; }
            if (Interlocked.CompareExchange(ref _claim, c + 1, c) == c) { task = (int)(c & MaxTasks); return true; }
        }
    }

    private static void RunClaimed(int task)
    {
        try { _invoke(_job, task); }
        finally { Interlocked.Decrement(ref _unfinished); }
    }

    private static void Work()
    {
        _inJob = true;
        while (true)
        {
            int spins = 0;
            while (!Available(Volatile.Read(ref _claim)))
            {
                if (++spins < 4000) { Thread.SpinWait(30); continue; }
                Interlocked.Increment(ref _sleeping);
                if (!Available(Volatile.Read(ref _claim))) Wake.Wait(100);
                Interlocked.Decrement(ref _sleeping);
                spins = 0;
            }
            while (TryClaim(out int t))
            {
                try { RunClaimed(t); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); } // rethrown on the caller
            }
        }
    }
}
