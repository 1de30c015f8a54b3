using System;
using System.Collections.Concurrent;

namespace GraphNet.Tests.Fuzz;

/// <summary>Worker processes shared by parallel callers: each call borrows an idle worker or starts one.</summary>
public sealed class OraclePool(TimeSpan limit) : IOracle, IDisposable
{
    private readonly ConcurrentBag<IsolatedOracle> _idle = [];
    private readonly ConcurrentBag<IsolatedOracle> _all = [];

    public Verdict Classify(string source)
    {
        if (!_idle.TryTake(out var worker))
        {
            worker = new IsolatedOracle(limit);
            _all.Add(worker);
        }
        try
        {
            return worker.Classify(source);
        }
        finally
        {
            _idle.Add(worker);
        }
    }

    public void Dispose()
    {
        foreach (var worker in _all) worker.Dispose();
    }
}
