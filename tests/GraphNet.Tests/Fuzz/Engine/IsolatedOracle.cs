using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// An oracle in a child process (this assembly's <see cref="OracleWorker"/>). A worker that dies (stack overflow,
/// out of memory) gives a crash verdict naming its last words and the GraphNet frame on top of its stack; when a
/// generator ignored cancellation the worker is killed, with the thread that would not stop. The next call starts a fresh worker.
/// Not thread-safe: one caller at a time (see <see cref="OraclePool"/>).
/// </summary>
public sealed class IsolatedOracle(TimeSpan limit) : IOracle, IDisposable
{
    private const int StderrLines = 400;

    private static readonly Regex GraphNetFrame = new(@"^\s*at (GraphNet\.(?!Tests\.)[^\s(]+)", RegexOptions.Compiled);

    private readonly List<string> _stderr = [];
    private Process? _process;

    /// <summary>Generation and compiling get a limit each; a worker also needs time to start and warm up.</summary>
    private TimeSpan AnswerLimit => 2 * limit + TimeSpan.FromSeconds(60);

    public Verdict Classify(string source)
    {
        var process = _process ??= Start();
        lock (_stderr) _stderr.Clear();
        try
        {
            process.StandardInput.WriteLine(JsonSerializer.Serialize(source));
            process.StandardInput.Flush();
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var read = process.StandardOutput.ReadLineAsync();
                if (!read.Wait(Max(AnswerLimit - deadline.Elapsed, TimeSpan.Zero)))
                {
                    Stop();
                    return Verdict.Of(Outcome.Hang, $"worker gave no answer within {AnswerLimit.TotalSeconds:0} s");
                }
                if (read.Result is not { } line) return Died();
                if (!line.StartsWith(OracleWorker.Marker, StringComparison.Ordinal)) continue;
                var verdict = JsonSerializer.Deserialize<Verdict>(line[OracleWorker.Marker.Length..])!;
                if (verdict.Signature.StartsWith(FuzzOracle.IgnoredCancellation, StringComparison.Ordinal)) Stop();
                return verdict;
            }
        }
        catch (IOException)
        {
            return Died();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private Process Start()
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", typeof(OracleWorker).Assembly.Location, OracleWorker.Command, limit.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        // Fully optimized code from the first call: about twice the throughput of tiered code over a run of short
        // compilations, and the same inlining all run long, so the frame that threw (a root cause's key) stays the same.
        info.Environment["DOTNET_TieredCompilation"] = "0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a fuzz worker");
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr) if (e.Data is not null && _stderr.Count < StderrLines) _stderr.Add(e.Data);
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The dotnet host running this process, or the one the SDK names for its children.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private Verdict Died()
    {
        var process = _process!;
        if (process.WaitForExit(10_000)) process.WaitForExit();
        string code = process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "?";
        Stop();
        List<string> lines;
        lock (_stderr) lines = [.. _stderr];
        string words = lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "no output";
        string frame = lines.Select(l => GraphNetFrame.Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value ?? "?";
        string key = $"worker died: {words} @ {frame}";
        return Verdict.Of(Outcome.Crash, $"{key} (exit code {code})", string.Join("\n", lines.Take(40)), keys: [Verdict.Normalize(key)]);
    }

    private void Stop()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
