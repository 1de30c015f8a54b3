using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace GraphNet.Distributed.Tests;

/// <summary>What a worker run printed, its exit code, and when it ended.</summary>
public sealed record Run(int ExitCode, string Output, DateTimeOffset Ended);

/// <summary>
/// Launches tests/GraphNet.Distributed.Worker: under <c>mpirun --allow-run-as-root --oversubscribe -np N</c> on this
/// machine, or alone (one rank, no MPI). Each rank runs one kernel thread (GRAPHNET_THREADS=1).
/// </summary>
public static class Mpi
{
    private static readonly string Worker = Path.Combine(AppContext.BaseDirectory, "GraphNet.Distributed.Worker.dll");

    /// <summary>A fresh empty folder for one run's files.</summary>
    public static string NewFolder()
    {
        var dir = Path.Combine(Path.GetTempPath(), "graphnet-mpi-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The worker on <paramref name="ranks"/> ranks; <paramref name="environment"/> is passed to every rank.</summary>
    public static Run Ranks(int ranks, string[] args, params (string Name, string Value)[] environment)
    {
        var mpirun = new List<string> { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-x", "GRAPHNET_THREADS=1" };
        foreach (var (name, value) in environment) mpirun.AddRange(["-x", $"{name}={value}"]);
        mpirun.AddRange(["dotnet", Worker]);
        mpirun.AddRange(args);
        return Start("mpirun", mpirun);
    }

    /// <summary>The worker as one plain process.</summary>
    public static Run Alone(params string[] args) => Start("dotnet", [Worker, .. args]);

    /// <summary>A run that must succeed.</summary>
    public static void Succeeds(Run run) => Assert.True(run.ExitCode == 0, $"The worker failed ({run.ExitCode}):\n{run.Output}");

    /// <summary>Parameters and buffers by name, and the metadata, of a worker's output file.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string dir, string name) =>
        Checkpoint.Read(Path.Combine(dir, name + ".safetensors"));

    private static Run Start(string program, IEnumerable<string> args)
    {
        Assert.True(File.Exists(Worker), $"The worker is not built: {Worker}");
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["GRAPHNET_THREADS"] = "1";
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {program} ({e.Message}): the distributed tests need Open MPI's mpirun (apt-get install openmpi-bin).", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{program} {string.Join(' ', args)} did not end within 120 s.");
            }
            var ended = DateTimeOffset.UtcNow;
            Task.WaitAll(output, errors);
            return new Run(process.ExitCode, output.Result + errors.Result, ended);
        }
    }
}
