using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// A long campaign out of process: every mutant runs in a worker process, so a stack overflow or a runaway
/// generator costs one worker, not the run. Writes into OUT (default fuzz-out/ at the repository root):
/// seeds.txt (every seed's verdict), failures.jsonl (every failing mutant), repro/ (one minimized reproducer per
/// root cause) and summary.md; prints the one-line summary last. See <see cref="FuzzSettings"/> for the workers
/// and the time limit.
/// </summary>
public static class LongRun
{
    private const int MinimizerTests = 1000;
    private const int MinimizerHangTests = 25;
    private const int ProgressEvery = 1000;

    public static int Run(string[] args)
    {
        int mutants = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40_000;
        int runSeed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        string root = FuzzCorpus.RepoRoot();
        string outDir = Path.GetFullPath(args.Length > 2 ? args[2] : Path.Combine(root, "fuzz-out"));
        int jobs = FuzzSettings.Jobs;
        var limit = FuzzSettings.Limit;
        var clock = Stopwatch.StartNew();

        Directory.CreateDirectory(outDir);
        string reproDir = Path.Combine(outDir, "repro");
        if (Directory.Exists(reproDir)) Directory.Delete(reproDir, recursive: true);
        Directory.CreateDirectory(reproDir);

        using var pool = new OraclePool(limit);
        var measured = FuzzCampaign.MeasureSeeds(FuzzCorpus.Load(root), pool, jobs);
        File.WriteAllLines(Path.Combine(outDir, "seeds.txt"), measured.Select(m =>
            $"{(FuzzCampaign.IsUsable(m.Verdict) ? "usable" : "left out")}\t{m.Seed.Name}\t{m.Verdict.OutcomeName}\t{string.Join(",", m.Verdict.GeneratorIds)}\t{m.Verdict.Signature}"));
        var seeds = measured.Where(m => FuzzCampaign.IsUsable(m.Verdict)).Select(m => m.Seed).ToList();
        Console.Error.WriteLine($"{seeds.Count} of {measured.Count} seeds usable; {jobs} workers; limit {limit.TotalSeconds} s");

        var mutator = new Mutator(seeds, runSeed);
        var counts = new ConcurrentDictionary<Outcome, int>();
        var failures = new ConcurrentBag<MutantResult>();
        int done = 0;
        Parallel.For(0, mutants, new ParallelOptions { MaxDegreeOfParallelism = jobs }, i =>
        {
            var result = FuzzCampaign.Run(mutator, pool, i);
            counts.AddOrUpdate(result.Verdict.Outcome, 1, (_, n) => n + 1);
            if (result.Verdict.Outcome != Outcome.Ok) failures.Add(result);
            if (Interlocked.Increment(ref done) % ProgressEvery == 0)
                Console.Error.WriteLine($"{FuzzCampaign.Summary(counts)} ({clock.Elapsed.TotalMinutes:0.0} min)");
        });
        var failed = failures.OrderBy(f => f.Index).ToList();
        File.WriteAllLines(Path.Combine(outDir, "failures.jsonl"), failed.Select(f => JsonSerializer.Serialize(f)));

        var groups = FuzzCampaign.Groups(failed);
        Console.Error.WriteLine($"minimizing {groups.Count} root causes");
        var reproducers = new Reproducer[groups.Count];
        Parallel.For(0, groups.Count, new ParallelOptions { MaxDegreeOfParallelism = jobs }, g =>
        {
            reproducers[g] = FuzzCampaign.MinimizeGroup(groups[g], mutator, pool, MinimizerTests, MinimizerHangTests);
            File.WriteAllText(Path.Combine(reproDir, FileName(g, groups[g].Key.Outcome)), reproducers[g].Describe(runSeed));
        });
        File.WriteAllText(Path.Combine(outDir, "summary.md"), Report(groups, reproducers, counts, runSeed));

        string summary = FuzzCampaign.Summary(counts);
        Console.Error.WriteLine($"{clock.Elapsed.TotalMinutes:0.0} min; reproducers in {reproDir}");
        Console.WriteLine(summary);
        return failed.Count == 0 ? 0 : 1;
    }

    private static string FileName(int group, Outcome outcome) => $"{group + 1:000}-{outcome.ToString().ToLowerInvariant()}.cs";

    private static string Report(List<IGrouping<(Outcome Outcome, string Key), MutantResult>> groups, Reproducer[] reproducers,
        IReadOnlyDictionary<Outcome, int> counts, int runSeed)
    {
        var b = new StringBuilder($"# {FuzzCampaign.Summary(counts)} (run seed {runSeed})\n\n");
        b.Append("| # | outcome | mutants | root cause | reproducer |\n|---|---|---|---|---|\n");
        for (int g = 0; g < groups.Count; g++)
            b.Append($"| {g + 1} | {groups[g].Key.Outcome.ToString().ToLowerInvariant()} | {groups[g].Count()} | `{groups[g].Key.Key.Replace("|", "\\|")}` | repro/{FileName(g, groups[g].Key.Outcome)} ({reproducers[g].Source.Split('\n').Length} lines) |\n");
        return b.ToString();
    }
}
