using System;
using System.Text.Json;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// The child side of <see cref="IsolatedOracle"/>: reads one JSON-encoded source per line from stdin, answers one
/// <see cref="Marker"/>-prefixed JSON verdict per line on stdout. A stack overflow or a hung generator thread
/// then takes down only this process.
/// </summary>
public static class OracleWorker
{
    public const string Command = "fuzz-worker";
    public const string Marker = "@@verdict ";

    public static int Run(TimeSpan limit)
    {
        var oracle = new FuzzOracle(limit);
        while (Console.In.ReadLine() is { } line)
        {
            var verdict = oracle.Classify(JsonSerializer.Deserialize<string>(line)!);
            Console.Out.WriteLine(Marker + JsonSerializer.Serialize(verdict));
            Console.Out.Flush();
        }
        return 0;
    }
}
