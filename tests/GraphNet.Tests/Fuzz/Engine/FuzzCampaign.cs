using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace GraphNet.Tests.Fuzz;

/// <summary>One mutant's verdict.</summary>
public sealed record MutantResult(int Index, string SeedName, IReadOnlyList<string> Mutations, Verdict Verdict);

/// <summary>A failing mutant reduced to a small source that fails the same way.</summary>
public sealed record Reproducer(MutantResult Found, string Source, Verdict Verdict)
{
    /// <summary>The reproducer as a C# file whose header comments say what fails and where it came from.</summary>
    public string Describe(int runSeed)
    {
        var b = new StringBuilder();
        b.Append("// ").Append(Verdict.OutcomeName).Append(": ").AppendLine(Verdict.Signature);
        b.Append("// mutant ").Append(Found.Index).Append(" of run seed ").Append(runSeed).Append(", from ").AppendLine(Found.SeedName);
        foreach (var m in Found.Mutations) b.Append("//   ").AppendLine(m);
        foreach (var line in Verdict.Detail.Split('\n').Where(l => l.Length > 0).Take(16)) b.Append("// | ").AppendLine(line);
        return b.AppendLine(Source.TrimEnd()).ToString();
    }
}

/// <summary>A fuzz campaign: which seeds are usable, running mutants in parallel, summaries, minimizing failures.</summary>
public static class FuzzCampaign
{
    /// <summary>Every seed's verdict; the usable ones are those the generator handles without any GN diagnostic.</summary>
    public static IReadOnlyList<(Seed Seed, Verdict Verdict)> MeasureSeeds(IReadOnlyList<Seed> seeds, IOracle oracle, int parallelism)
    {
        var verdicts = new Verdict[seeds.Count];
        Parallel.For(0, seeds.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => verdicts[i] = oracle.Classify(seeds[i].Source));
        return seeds.Select((s, i) => (s, verdicts[i])).ToList();
    }

    public static bool IsUsable(Verdict v) => v.Outcome == Outcome.Ok && !v.GeneratorIds.Any(id => id.StartsWith("GN", StringComparison.Ordinal));

    public static MutantResult Run(Mutator mutator, IOracle oracle, int index)
    {
        var mutant = mutator.Create(index);
        return new MutantResult(index, mutant.SeedName, mutant.Mutations, oracle.Classify(mutant.Source));
    }

    /// <summary>Mutants [from, from + count), <paramref name="parallelism"/> at a time, in index order.</summary>
    public static MutantResult[] Run(Mutator mutator, IOracle oracle, int from, int count, int parallelism)
    {
        var results = new MutantResult[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => results[i] = Run(mutator, oracle, from + i));
        return results;
    }

    /// <summary>fuzz: N mutants, ok X, crash X, hang X, internal X, badcode X</summary>
    public static string Summary(IReadOnlyDictionary<Outcome, int> counts) =>
        $"fuzz: {counts.Values.Sum()} mutants, " + string.Join(", ", Verdict.All.Select(o => $"{o.ToString().ToLowerInvariant()} {counts.GetValueOrDefault(o)}"));

    public static Dictionary<Outcome, int> Count(IEnumerable<MutantResult> results) =>
        results.GroupBy(r => r.Verdict.Outcome).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Failures grouped by outcome and root-cause key, worst outcome and then largest group first.</summary>
    public static List<IGrouping<(Outcome Outcome, string Key), MutantResult>> Groups(IEnumerable<MutantResult> results) =>
        results.Where(r => r.Verdict.Outcome != Outcome.Ok)
            .GroupBy(r => (r.Verdict.Outcome, r.Verdict.Key))
            .OrderBy(g => g.Key.Outcome).ThenByDescending(g => g.Count()).ThenBy(g => g.Key.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Minimizes one mutant of a root cause: the first that parses cleanly (its reproducer stays valid C#), or
    /// the first of all when the bug comes with a syntax error.
    /// </summary>
    public static Reproducer MinimizeGroup(IEnumerable<MutantResult> group, Mutator mutator, IOracle oracle, int maxTests, int maxHangTests)
    {
        var candidates = group.Take(RepresentativesTried).Select(r => (Result: r, Source: mutator.Create(r.Index).Source)).ToList();
        var chosen = candidates.FirstOrDefault(c => !Minimizer.HasSyntaxErrors(c.Source));
        if (chosen.Result is null) chosen = candidates[0];
        return Minimize(chosen.Result, chosen.Source, oracle, maxTests, maxHangTests);
    }

    private const int RepresentativesTried = 20;

    /// <summary>
    /// Reduces a failing mutant while it keeps its outcome and root-cause key. Every reduction of a hang costs a
    /// time limit, so hangs get their own, smaller budget (0: keep the mutant as it is).
    /// </summary>
    public static Reproducer Minimize(MutantResult found, string source, IOracle oracle, int maxTests, int maxHangTests)
    {
        var target = found.Verdict;
        int budget = target.Outcome == Outcome.Hang ? maxHangTests : maxTests;
        string reduced = Minimizer.Minimize(source, candidate => oracle.Classify(candidate).Matches(target), budget);
        return new Reproducer(found, reduced, reduced == source ? target : oracle.Classify(reduced));
    }
}
