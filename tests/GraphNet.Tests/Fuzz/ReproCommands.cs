using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// Follow-ups to a campaign: <c>fuzz-repro SEED INDEX...</c> minimizes the given mutants of a run (indices as in
/// failures.jsonl) and prints their reproducers; <c>fuzz-classify FILE...</c> prints the oracle's verdict on
/// source files, for checking a hand-edited reproducer or a fix.
/// </summary>
public static class ReproCommands
{
    private const int MinimizerTests = 1000;
    private const int MinimizerHangTests = 25;

    public static int Repro(string[] args)
    {
        int runSeed = int.Parse(args[0], CultureInfo.InvariantCulture);
        var indices = args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList();
        using var pool = new OraclePool(FuzzSettings.Limit);
        var measured = FuzzCampaign.MeasureSeeds(FuzzCorpus.Load(FuzzCorpus.RepoRoot()), pool, FuzzSettings.Jobs);
        var mutator = new Mutator(measured.Where(m => FuzzCampaign.IsUsable(m.Verdict)).Select(m => m.Seed).ToList(), runSeed);
        var reproducers = new Reproducer[indices.Count];
        Parallel.For(0, indices.Count, new ParallelOptions { MaxDegreeOfParallelism = FuzzSettings.Jobs }, i =>
        {
            var mutant = mutator.Create(indices[i]);
            var found = new MutantResult(mutant.Index, mutant.SeedName, mutant.Mutations, pool.Classify(mutant.Source));
            reproducers[i] = found.Verdict.Outcome == Outcome.Ok
                ? new Reproducer(found, mutant.Source, found.Verdict)
                : FuzzCampaign.Minimize(found, mutant.Source, pool, MinimizerTests, MinimizerHangTests);
        });
        foreach (var r in reproducers) Console.WriteLine(r.Describe(runSeed));
        return 0;
    }

    public static int Classify(string[] files)
    {
        using var pool = new OraclePool(FuzzSettings.Limit);
        foreach (var file in files)
        {
            var verdict = pool.Classify(File.ReadAllText(file));
            Console.WriteLine($"{file}: {verdict.OutcomeName} {verdict.Signature}");
            foreach (var line in verdict.Detail.Split('\n').Where(l => l.Length > 0).Take(6)) Console.WriteLine("  | " + line);
        }
        return 0;
    }

    /// <summary>Prints the generated sources and the diagnostics for a source file (to follow up a badcode verdict).</summary>
    public static int Generate(string file)
    {
        var (diags, sources, errors) = GraphNet.Tests.Generator.GeneratorHarness.Run(File.ReadAllText(file));
        foreach (var d in diags) Console.WriteLine("// diagnostic: " + d);
        foreach (var e in errors) Console.WriteLine("// error: " + e);
        foreach (var s in sources) Console.WriteLine(s);
        return 0;
    }
}
