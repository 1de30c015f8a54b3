using System;
using System.Runtime.InteropServices;

namespace GraphNet.Distributed;

/// <summary>
/// The part of the MPI C API that GraphNet uses, bound at run time to Open MPI's <c>libmpi.so.40</c> (or the file named
/// by <c>GRAPHNET_MPI_LIBRARY</c>): function pointers from <see cref="NativeLibrary.GetExport"/>, and Open MPI's
/// predefined handles (<c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, ...), which are the addresses of exported
/// globals (<c>ompi_mpi_comm_world</c>, ...). The library is opened with <c>RTLD_GLOBAL</c> so that the plugins Open MPI
/// loads in turn (<c>mca_*.so</c>) see its symbols. Nothing here is touched unless a job runs on several ranks.
/// </summary>
internal static unsafe class MpiLibrary
{
    /// <summary>MPI_IN_PLACE in Open MPI.</summary>
    public static readonly void* InPlace = (void*)1;

    public static nint CommWorld, Float, Byte, Sum;

    public static delegate* unmanaged<int*, byte***, int> Init;
    public static delegate* unmanaged<int*, int> Initialized;
    public static delegate* unmanaged<int> Finalize;
    public static delegate* unmanaged<nint, int*, int> CommRank;
    public static delegate* unmanaged<nint, int*, int> CommSize;
    public static delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce;
    public static delegate* unmanaged<void*, int, nint, int, nint, nint*, int> Ibcast;
    public static delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int> Isend;
    public static delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int> Irecv;
    public static delegate* unmanaged<nint*, int*, void*, int> Test;
    public static delegate* unmanaged<int, nint*, int*, void*, int> Testall;
    public static delegate* unmanaged<nint, int, int> Abort;

    private static nint _handle;

    /// <summary>Opens libmpi (once) and resolves every entry; an error says what to install.</summary>
    public static void Load()
    {
        if (_handle != 0) return;
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("GraphNet.Distributed binds Open MPI on Linux only.");
        var name = Environment.GetEnvironmentVariable("GRAPHNET_MPI_LIBRARY") is { Length: > 0 } custom ? custom : "libmpi.so.40";
        nint handle;
        fixed (byte* file = System.Text.Encoding.UTF8.GetBytes(name + "\0"))
            handle = DlOpen(file, RtldNow | RtldGlobal);
        if (handle == 0)
            throw new DllNotFoundException($"Could not load {name} ({Marshal.PtrToStringUTF8(DlError())}). Distributed training needs Open MPI 4 "
                + "(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev), or GRAPHNET_MPI_LIBRARY naming its libmpi.");
        CommWorld = Export(handle, "ompi_mpi_comm_world");
        Float = Export(handle, "ompi_mpi_float");
        Byte = Export(handle, "ompi_mpi_byte");
        Sum = Export(handle, "ompi_mpi_op_sum");
        Init = (delegate* unmanaged<int*, byte***, int>)Export(handle, "MPI_Init");
        Initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        Finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export(handle, "MPI_Iallreduce");
        Ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export(handle, "MPI_Ibcast");
        Isend = (delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int>)Export(handle, "MPI_Isend");
        Irecv = (delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int>)Export(handle, "MPI_Irecv");
        Test = (delegate* unmanaged<nint*, int*, void*, int>)Export(handle, "MPI_Test");
        Testall = (delegate* unmanaged<int, nint*, int*, void*, int>)Export(handle, "MPI_Testall");
        Abort = (delegate* unmanaged<nint, int, int>)Export(handle, "MPI_Abort");
        _handle = handle;
    }

    /// <summary>Throws when an MPI call did not return MPI_SUCCESS (with Open MPI's default handler it aborts first).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
    }

    private static nint Export(nint handle, string symbol) =>
        NativeLibrary.TryGetExport(handle, symbol, out var address) ? address
            : throw new EntryPointNotFoundException($"The MPI library has no '{symbol}': GraphNet.Distributed binds Open MPI 4 (libmpi.so.40).");

    private const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern nint DlOpen(byte* file, int mode);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern nint DlError();
}
