using System;
using System.Globalization;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// The test assembly's entry point (the project sets GenerateProgramFile to false; test runners never call it):
/// <c>fuzz-worker LIMIT_S</c> serves an <see cref="OracleWorker"/> to a parent process,
/// <c>fuzz [MUTANTS] [SEED] [OUT]</c> runs a long campaign (tests/fuzz.sh), and <c>fuzz-repro</c> and
/// <c>fuzz-classify</c> follow one up (<see cref="ReproCommands"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args switch
    {
        [OracleWorker.Command, var limit] => OracleWorker.Run(TimeSpan.FromSeconds(double.Parse(limit, CultureInfo.InvariantCulture))),
        ["fuzz", .. var rest] => LongRun.Run(rest),
        ["fuzz-repro", _, _, ..] => ReproCommands.Repro(args[1..]),
        ["fuzz-classify", _, ..] => ReproCommands.Classify(args[1..]),
        ["fuzz-generate", var file] => ReproCommands.Generate(file),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: dotnet exec GraphNet.Tests.dll fuzz [MUTANTS] [SEED] [OUT_DIR]   (or tests/fuzz.sh)
                   dotnet exec GraphNet.Tests.dll fuzz-repro SEED INDEX...         minimized reproducers of a run's mutants
                   dotnet exec GraphNet.Tests.dll fuzz-classify FILE...            the oracle's verdict on source files
                   dotnet exec GraphNet.Tests.dll fuzz-generate FILE               the generated sources and diagnostics of a source file
            """);
        return 2;
    }
}
