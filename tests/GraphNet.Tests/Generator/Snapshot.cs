using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace GraphNet.Tests.Generator;

/// <summary>
/// A small Verify-shaped snapshot helper: compares text with <c>Snapshots/NAME.verified.EXT</c>; on a
/// mismatch writes <c>NAME.received.EXT</c> beside it and fails. Set GRAPHNET_ACCEPT=1 to accept.
/// </summary>
public static class Snapshot
{
    public static void Verify(string name, string actual, string extension = "cs", [CallerFilePath] string caller = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(caller))!, "Snapshots");
        Directory.CreateDirectory(dir);
        var verified = Path.Combine(dir, $"{name}.verified.{extension}");
        var received = Path.Combine(dir, $"{name}.received.{extension}");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("GRAPHNET_ACCEPT") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified} yet; wrote {received}. Review it, then rename it or run with GRAPHNET_ACCEPT=1."
            : $"Snapshot {name} changed; wrote {received}. Diff it against {verified}; accept with GRAPHNET_ACCEPT=1 if intended.");
    }
}
