using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GraphNet;

/// <summary>
/// A training curve: named series of (x, value) points, for example "train loss" and "test accuracy" per epoch.
/// Written as CSV (one row per x, one column per series) and as a self-contained SVG line chart.
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

    public IReadOnlyList<string> Series => _names;

    /// <summary>The points of one series, in x order.</summary>
    public IReadOnlyList<(double X, double Value)> Points(string name) =>
        _rows.Where(r => r.Value.ContainsKey(name)).Select(r => (r.Key, r.Value[name])).ToList();

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
    /// A line chart with one polyline per series. Series whose values lie in [0, 1] (accuracies) share a right-hand
    /// axis; the others (losses) use the left-hand axis.
    /// </summary>
    public string ToSvg(string title)
    {
        const double W = 720, H = 420, L = 70, R = 70, T = 40, B = 50;
        string[] colors = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };
        var xs = _rows.Keys.ToList();
        double x0 = xs.Count > 0 ? xs[0] : 0, x1 = xs.Count > 1 ? xs[^1] : x0 + 1;
        bool Unit(string n) => Points(n).All(p => p.Value >= 0 && p.Value <= 1);
        var left = _names.Where(n => !Unit(n)).ToList();
        var right = _names.Where(Unit).ToList();
        if (left.Count == 0) { left = right; right = new List<string>(); }
        (double Lo, double Hi) Range(List<string> names)
        {
            var v = names.SelectMany(n => Points(n).Select(p => p.Value)).Where(d => !double.IsNaN(d) && !double.IsInfinity(d)).ToList();
            if (v.Count == 0) return (0, 1);
            double lo = Math.Min(0, v.Min()), hi = v.Max();
            return hi > lo ? (lo, hi) : (lo, lo + 1);
        }
        var (ly0, ly1) = Range(left);
        const double ry0 = 0, ry1 = 1;
        double Px(double x) => L + (x - x0) / (x1 - x0) * (W - L - R);
        double Py(double y, double lo, double hi) => H - B - (y - lo) / (hi - lo) * (H - T - B);

        var s = new StringBuilder();
        s.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(W)}\" height=\"{F(H)}\" viewBox=\"0 0 {F(W)} {F(H)}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.Append($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.Append($"<text x=\"{F(W / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        s.Append($"<rect x=\"{F(L)}\" y=\"{F(T)}\" width=\"{F(W - L - R)}\" height=\"{F(H - T - B)}\" fill=\"none\" stroke=\"#444\"/>\n");
        for (int i = 0; i <= 5; i++)
        {
            double fx = x0 + (x1 - x0) * i / 5, fy = ly0 + (ly1 - ly0) * i / 5;
            s.Append($"<text x=\"{F(Px(fx))}\" y=\"{F(H - B + 18)}\" text-anchor=\"middle\">{F3(fx)}</text>\n");
            s.Append($"<line x1=\"{F(L)}\" x2=\"{F(W - R)}\" y1=\"{F(Py(fy, ly0, ly1))}\" y2=\"{F(Py(fy, ly0, ly1))}\" stroke=\"#ddd\"/>\n");
            s.Append($"<text x=\"{F(L - 6)}\" y=\"{F(Py(fy, ly0, ly1) + 4)}\" text-anchor=\"end\">{F3(fy)}</text>\n");
            if (right.Count > 0)
                s.Append($"<text x=\"{F(W - R + 6)}\" y=\"{F(Py(ry0 + (ry1 - ry0) * i / 5, ry0, ry1) + 4)}\">{F3(ry0 + (ry1 - ry0) * i / 5)}</text>\n");
        }
        s.Append($"<text x=\"{F(W / 2)}\" y=\"{F(H - 12)}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        int c = 0;
        foreach (var n in _names)
        {
            bool onRight = right.Contains(n);
            var pts = Points(n).Where(p => !double.IsNaN(p.Value) && !double.IsInfinity(p.Value))
                .Select(p => $"{F(Px(p.X))},{F(onRight ? Py(p.Value, ry0, ry1) : Py(p.Value, ly0, ly1))}");
            string color = colors[c % colors.Length];
            s.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(" ", pts)}\"/>\n");
            s.Append($"<text x=\"{F(L + 10)}\" y=\"{F(T + 16 + 16 * c)}\" fill=\"{color}\">{Escape(n)}{(onRight ? " (right axis)" : "")}</text>\n");
            c++;
        }
        s.Append("</svg>\n");
        return s.ToString();
    }

    /// <summary>Writes <paramref name="basePath"/>.csv and <paramref name="basePath"/>.svg (each atomically).</summary>
    public void Write(string basePath, string title)
    {
        AtomicFile.WriteText(basePath + ".csv", ToCsv());
        AtomicFile.WriteText(basePath + ".svg", ToSvg(title));
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string F3(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
