using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GraphNet;

/// <summary>
/// A training curve: named series of (x, value) points, for example "train loss" and "test accuracy" per epoch.
/// Written as CSV (one row per x, one column per series); the console package draws it (SVG, PNG).
/// </summary>
public sealed class TrainingLog
{
    private readonly List<string> _names = new();
    private readonly SortedDictionary<double, Dictionary<string, double>> _rows = new();

    /// <summary>The label of the x axis, for example "epoch" or "step".</summary>
    public string XLabel { get; init; } = "epoch";

    /// <summary>Records <paramref name="value"/> of series <paramref name="name"/> at <paramref name="x"/>.</summary>
    public void Add(double x, string name, double value)
    {
        if (name.Contains(',') || name.Contains('"') || name.Contains('\n'))
            throw new ArgumentException($"Series name '{name}' may not contain commas, quotes or newlines.", nameof(name));
        if (!_names.Contains(name)) _names.Add(name);
        if (!_rows.TryGetValue(x, out var row)) _rows[x] = row = new Dictionary<string, double>();
        row[name] = value;
    }

    /// <summary>The series names, in the order they were first added.</summary>
    public IReadOnlyList<string> Series => _names;

    /// <summary>The points of one series, in x order.</summary>
    public IReadOnlyList<(double X, double Value)> Points(string name) =>
        _rows.Where(r => r.Value.ContainsKey(name)).Select(r => (r.Key, r.Value[name])).ToList();

    /// <summary>
    /// The log as CSV: a header of <see cref="XLabel"/> and the series names, then one row per x in ascending order, an empty
    /// cell where a series has no value at that x. Numbers are written with at most three decimals.
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder(XLabel);
        foreach (var n in _names) sb.Append(',').Append(n);
        sb.Append('\n');
        foreach (var (x, row) in _rows)
        {
            sb.Append(F(x));
            foreach (var n in _names) sb.Append(',').Append(row.TryGetValue(n, out var v) ? F(v) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// Writes <paramref name="basePath"/>.csv atomically. The console package (GraphNet.Console) adds
    /// <c>Write(basePath, title)</c>, which also draws the curve as SVG and PNG.
    /// </summary>
    public void WriteCsv(string basePath) => AtomicFile.WriteText(basePath + ".csv", ToCsv());

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture); // six significant digits: a loss of 3e-5 is written 3E-05, not 0

}
