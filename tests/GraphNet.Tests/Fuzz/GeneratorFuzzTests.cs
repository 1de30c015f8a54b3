using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// A bounded, seeded fuzz run of the generator over mutants of the repository's own models, in worker processes:
/// every mutant must build, or get GN errors and code that still compiles. GRAPHNET_FUZZ_MUTANTS sets the number
/// of mutants (see <see cref="FuzzSettings"/> for the others); tests/fuzz.sh runs long campaigns.
/// </summary>
public class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int DefaultMutants = 2000;
    private const int RunSeed = 1;
    private const int ReproducersShown = 3;
    private const int MinimizerTests = 150;
    private const int MinimizerHangTests = 0; // tests/fuzz.sh minimizes hangs

    [Fact]
    public void Mutants_of_the_repository_models_build_or_get_only_GN_errors()
    {
        var clock = Stopwatch.StartNew();
        int mutants = FuzzSettings.Mutants ?? DefaultMutants;
        int parallelism = FuzzSettings.Jobs;
        using var pool = new OraclePool(FuzzSettings.Limit);

        var measured = FuzzCampaign.MeasureSeeds(FuzzCorpus.Load(FuzzCorpus.RepoRoot()), pool, parallelism);
        foreach (var (seed, verdict) in measured.Where(m => !FuzzCampaign.IsUsable(m.Verdict)))
            output.WriteLine($"seed {seed.Name} left out: {verdict.OutcomeName} [{string.Join(", ", verdict.GeneratorIds)}] {verdict.Signature}");
        var seeds = measured.Where(m => FuzzCampaign.IsUsable(m.Verdict)).Select(m => m.Seed).ToList();
        Assert.NotEmpty(seeds);

        var mutator = new Mutator(seeds, RunSeed);
        var results = FuzzCampaign.Run(mutator, pool, 0, mutants, parallelism);
        string summary = FuzzCampaign.Summary(FuzzCampaign.Count(results));
        output.WriteLine($"{summary} ({seeds.Count} seeds, {parallelism} workers, {clock.Elapsed.TotalSeconds:0.0} s)");

        var groups = FuzzCampaign.Groups(results);
        if (groups.Count == 0) return;
        // Hangs last: one costs a time limit per minimizing step, so here they are shown as found.
        var reproducers = groups.OrderBy(g => g.Key.Outcome == Outcome.Hang).Take(ReproducersShown).AsParallel().AsOrdered().WithDegreeOfParallelism(parallelism)
            .Select(g => FuzzCampaign.MinimizeGroup(g, mutator, pool, MinimizerTests, MinimizerHangTests))
            .ToList();
        var message = new StringBuilder(summary).Append($"; {groups.Count} root causes:\n");
        foreach (var g in groups) message.Append($"  {g.Count(),5} x {g.Key.Outcome.ToString().ToLowerInvariant()}: {g.First().Verdict.Signature}\n");
        foreach (var r in reproducers) message.Append('\n').Append(r.Describe(RunSeed));
        output.WriteLine($"with minimizing: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Fail(message.ToString());
    }
}
