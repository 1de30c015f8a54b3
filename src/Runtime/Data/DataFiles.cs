using System;
using System.Collections.Generic;
using System.IO;

namespace GraphNet.Data;

/// <summary>Finds the repository's shipped data (a <c>data/</c> folder) from wherever a sample or test runs.</summary>
public static class DataFiles
{
    /// <summary>
    /// The full path of <paramref name="relative"/> (for example "tabular/diabetes.csv") under the first
    /// <c>data/</c> folder found in the current directory, the application's directory, or their parents.
    /// </summary>
    public static string Find(string relative)
    {
        var tried = new List<string>();
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "data", relative);
                if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
                if (tried.Count < 4) tried.Add(candidate);
            }
        throw new FileNotFoundException($"Could not find data/{relative} in the current directory, the application directory or their parents (tried {string.Join(", ", tried)}, ...).");
    }
}
