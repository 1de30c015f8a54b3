using System;
using System.Globalization;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// The test assembly's entry point (the project sets GenerateProgramFile to false; test runners never call it):
/// <c>fuzz-worker LIMIT_S</c> serves an <see cref="OracleWorker"/> to a parent process, and
/// <c>fuzz [MUTANTS] [SEED] [OUT]</c> runs a long campaign (tests/fuzz.sh).
/// </summary>
public static class Program
{
    public static int Main(string[] args) => args switch
    {
        [OracleWorker.Command, var limit] => OracleWorker.Run(TimeSpan.FromSeconds(double.Parse(limit, CultureInfo.InvariantCulture))),
        ["fuzz", .. var rest] => LongRun.Run(rest),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: dotnet exec GraphNet.Tests.dll fuzz [MUTANTS] [SEED] [OUT_DIR]   (or run tests/fuzz.sh)");
        return 2;
    }
}
