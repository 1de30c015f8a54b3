using System;
using System.Globalization;

namespace GraphNet.Tests.Fuzz;

/// <summary>Settings from the environment, shared by the CI test and long runs.</summary>
public static class FuzzSettings
{
    /// <summary>GRAPHNET_FUZZ_LIMIT_S: seconds the generator, and then compiling its output, may take (default 10).</summary>
    public static TimeSpan Limit => TimeSpan.FromSeconds(Int("GRAPHNET_FUZZ_LIMIT_S") ?? 10);

    /// <summary>GRAPHNET_FUZZ_JOBS: worker processes running at once (default: one per core).</summary>
    public static int Jobs => Int("GRAPHNET_FUZZ_JOBS") ?? Environment.ProcessorCount;

    /// <summary>GRAPHNET_FUZZ_MUTANTS: mutants in the CI test's run.</summary>
    public static int? Mutants => Int("GRAPHNET_FUZZ_MUTANTS");

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
}
