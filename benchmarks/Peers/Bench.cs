using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using GraphNet.Runtime;

namespace Benchmarks.Peers;

/// <summary>
/// The peers' timing rule and JSON line (shared/peers/common.py): warm-up calls, an inner loop calibrated so one
/// repetition lasts at least min_rep seconds, 3 to <c>reps</c> timed repetitions within a budget; each repetition gives
/// seconds per call. <see cref="Emit"/> prints {"bench","config","results":{metric:{median,min,max,unit,n}},"env"}.
/// </summary>
public static class Bench
{
    private static readonly (long Total, long Steal) Start = CpuTicks();

    public static List<double> Run(Action fn, int warmup = 3, int reps = 9, double minRepS = 0.25, double budgetS = 25, int minReps = 3)
    {
        for (int i = 0; i < warmup; i++) fn();
        var t0 = Stopwatch.GetTimestamp();
        fn();
        double one = Math.Max(Stopwatch.GetElapsedTime(t0).TotalSeconds, 1e-9);
        int inner = Math.Max(1, (int)Math.Ceiling(minRepS / one));
        reps = Math.Max(minReps, Math.Min(reps, (int)(budgetS / (inner * one))));
        var samples = new List<double>(reps);
        for (int r = 0; r < reps; r++)
        {
            var t = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) fn();
            samples.Add(Stopwatch.GetElapsedTime(t).TotalSeconds / inner);
        }
        return samples;
    }

    public record Stat(double Median, double Min, double Max, string Unit, int N);

    public static Stat Of(IEnumerable<double> values, string unit)
    {
        var v = values.OrderBy(x => x).ToArray();
        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        return new Stat(Round(median), Round(v[0]), Round(v[^1]), unit, v.Length);
    }

    public static Stat Rate(List<double> seconds, double workPerCall, string unit) => Of(seconds.Select(s => workPerCall / s), unit);

    public static Stat Ms(List<double> seconds) => Of(seconds.Select(s => s * 1e3), "ms");

    private static double Round(double v) => double.Parse(v.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static void Emit(string bench, IEnumerable<(string Key, object Value)> config, IEnumerable<(string Metric, Stat Stat)> results)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("bench", bench);
            w.WriteStartObject("config");
            foreach (var (k, v) in config) Value(w, k, v);
            w.WriteEndObject();
            w.WriteStartObject("results");
            foreach (var (m, s) in results)
            {
                w.WriteStartObject(m);
                w.WriteNumber("median", s.Median); w.WriteNumber("min", s.Min); w.WriteNumber("max", s.Max);
                w.WriteString("unit", s.Unit); w.WriteNumber("n", s.N);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("env");
            var (total, steal) = CpuTicks();
            w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
            w.WriteNumber("steal_pct", Math.Round(100.0 * (steal - Start.Steal) / Math.Max(1, total - Start.Total), 2));
            w.WriteString("time_utc", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteStartArray("loadavg");
            foreach (var l in Read("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3)) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteNumber("graphnet_threads", Workers.Threads);
            w.WriteString("gemm_kernel", Vector512.IsHardwareAccelerated ? "avx512 12x32" : "avx2 6x16");
            w.WriteString("elementwise_vectors", Vector512.IsHardwareAccelerated ? "Vector512" : "Vector256");
            w.WriteStartObject("env");
            foreach (var key in new[] { "GRAPHNET_THREADS", "DOTNET_TieredPGO", "DOTNET_gcServer" })
                if (Environment.GetEnvironmentVariable(key) is { } val) w.WriteString(key, val);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        Console.Out.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
        Console.Out.Flush();
    }

    private static void Value(Utf8JsonWriter w, string key, object v)
    {
        switch (v)
        {
            case int i: w.WriteNumber(key, i); break;
            case long l: w.WriteNumber(key, l); break;
            case double d: w.WriteNumber(key, d); break;
            case bool b: w.WriteBoolean(key, b); break;
            default: w.WriteString(key, Convert.ToString(v, CultureInfo.InvariantCulture)); break;
        }
    }

    private static string Read(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; }
    }

    private static (long, long) CpuTicks()
    {
        var line = Read("/proc/stat").Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (line.Length < 2) return (0, 0);
        var v = line.Skip(1).Select(long.Parse).ToArray();
        return (v.Sum(), v.Length > 7 ? v[7] : 0);
    }
}
