using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace GraphNet.Tests.Fuzz;

/// <summary>
/// Records, at first chance, the exceptions thrown on the thread that runs the generator, with the GraphNet frames
/// of the stack at the throw. The generator turns its exceptions into GN9001 diagnostics that carry only the type
/// and message; this says which frame threw.
/// </summary>
public sealed class ThrowSites : IDisposable
{
    public sealed record Site(string Type, string Message, string Frame, string Stack);

    private const int MaxSites = 64;

    [ThreadStatic] private static ThrowSites? _current;

    private readonly List<Site> _sites = [];

    static ThrowSites() => AppDomain.CurrentDomain.FirstChanceException += (_, e) => _current?.Record(e.Exception);

    private ThrowSites() { }

    /// <summary>Starts recording on the current thread until disposed.</summary>
    public static ThrowSites Capture() => _current = new ThrowSites();

    public void Dispose() => _current = null;

    private void Record(Exception e)
    {
        if (e is OperationCanceledException || _sites.Count >= MaxSites) return;
        var trace = new StackTrace(1, false);
        _sites.Add(new Site(e.GetType().Name, e.GetType().Name + ": " + e.Message, TopFrame(trace), Frames(trace)));
    }

    /// <summary>The last exception whose type and message appear in a diagnostic's message.</summary>
    public Site? Find(string diagnosticMessage) => _sites.LastOrDefault(s => diagnosticMessage.Contains(s.Message, StringComparison.Ordinal));

    /// <summary>
    /// The innermost frame of GraphNet's own code (the generator or the compiler core), as Type.Method; when the JIT
    /// inlined that away (a lambda into Roslyn's caller), the innermost frame there is.
    /// </summary>
    public static string TopFrame(StackTrace trace) =>
        GraphNetFrames(trace).FirstOrDefault() ?? trace.GetFrames().Select(f => f.GetMethod()).Where(m => m?.DeclaringType is not null)
            .Select(m => $"{m!.DeclaringType!.FullName}.{m.Name}").FirstOrDefault() ?? "?";

    private static string Frames(StackTrace trace) => string.Join("\n", GraphNetFrames(trace).Take(12).Select(f => "   at " + f));

    private static IEnumerable<string> GraphNetFrames(StackTrace trace) =>
        trace.GetFrames()
            .Select(f => f.GetMethod())
            .Where(m => m?.DeclaringType?.FullName is { } t && t.StartsWith("GraphNet.", StringComparison.Ordinal) && !t.StartsWith("GraphNet.Tests.", StringComparison.Ordinal))
            .Select(m => $"{m!.DeclaringType!.FullName}.{m.Name}");
}
