using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace GraphNet.Tests.Fuzz;

/// <summary>What the generator did with one mutant, worst first.</summary>
public enum Outcome
{
    /// <summary>The generator threw to Roslyn (CS8784/CS8785), or the process running it died.</summary>
    Crash,
    /// <summary>The generator, or compiling what it emitted, ran past the time limit.</summary>
    Hang,
    /// <summary>The generator reported an internal error (GN9xxx).</summary>
    Internal,
    /// <summary>The user's code has no errors of its own, but does not compile with the generated code added.</summary>
    BadCode,
    /// <summary>A clean build, GN0xxx errors with code that still compiles, or errors that are the user's own.</summary>
    Ok,
}

/// <summary>
/// The oracle's verdict. <see cref="Signature"/> says what failed (exception type, the GraphNet frame that threw,
/// and the message; or the first error). <see cref="Keys"/> holds one root-cause key per failure seen, first the
/// signature's, with numbers and quoted names blanked: the same bug in another model has the same key, and the
/// minimizer keeps a candidate only while it still has the original's first key.
/// </summary>
public sealed record Verdict(Outcome Outcome, string Signature, string Detail, IReadOnlyList<string> GeneratorIds, IReadOnlyList<string> Keys)
{
    [JsonIgnore]
    public string Key => Keys.Count > 0 ? Keys[0] : "";

    public bool Matches(Verdict target) => Outcome == target.Outcome && Keys.Contains(target.Key);

    public static Verdict Of(Outcome outcome, string signature, string detail = "", IReadOnlyList<string>? ids = null, IReadOnlyList<string>? keys = null) =>
        new(outcome, signature, detail, ids ?? [], keys is { Count: > 0 } ? keys : [Normalize(signature)]);

    public static string Normalize(string text) =>
        Regex.Replace(Regex.Replace(text, "'[^']*'", "'…'"), "[0-9]+", "#");

    [JsonIgnore]
    public string OutcomeName => Outcome.ToString().ToLowerInvariant();

    public static IEnumerable<Outcome> Failures => new[] { Outcome.Crash, Outcome.Hang, Outcome.Internal, Outcome.BadCode };

    public static IEnumerable<Outcome> All => Failures.Prepend(Outcome.Ok);
}
