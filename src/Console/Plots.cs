using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ScottPlot;

namespace GraphNet;

/// <summary>
/// Training curves drawn by ScottPlot: readable ticks, axis labels, a train and a validation series of the same metric in
/// one color (solid and dashed), accuracies on a right-hand axis, and a log scale where a loss spans decades.
/// </summary>
public static class TrainingPlots
{
    private static readonly string[] HeldOut = { "validation ", "valid ", "val ", "test ", "held-out " };

    /// <summary>
    /// Writes <paramref name="basePath"/>.csv, .svg and .png (each atomically, so a reader never sees half a file).
    /// </summary>
    public static void Write(this TrainingLog log, string basePath, string title, int width = 720, int height = 420)
    {
        ArgumentNullException.ThrowIfNull(log);
        log.WriteCsv(basePath);
        AtomicFile.WriteText(basePath + ".svg", log.ToSvg(title, width, height));
        AtomicFile.Write(basePath + ".png", log.ToPlot(title).GetImageBytes(width, height, ImageFormat.Png));
    }

    /// <summary>
    /// The curve as an SVG document. Held-out series are told apart by open square markers instead of dashes: Skia's SVG
    /// canvas cannot write a dash pattern (it would print a warning per line to standard output).
    /// </summary>
    public static string ToSvg(this TrainingLog log, string title, int width = 720, int height = 420) => log.ToPlot(title, dashes: false).GetSvgXml(width, height);

    /// <summary>
    /// The curve as a ScottPlot <see cref="Plot"/>, to adjust before saving. Series whose values all lie in [0, 1]
    /// (accuracies) go on the right-hand axis when others (losses) are on the left, a metric's train and held-out series
    /// together; the left axis is logarithmic when its values are positive and span at least two decades.
    /// </summary>
    /// <param name="log">The curve.</param>
    /// <param name="title">The plot's title.</param>
    /// <param name="dashes">Held-out series dashed (raster output); false marks them with open squares instead (SVG).</param>
    public static Plot ToPlot(this TrainingLog log, string title, bool dashes = true)
    {
        ArgumentNullException.ThrowIfNull(log);
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(log.XLabel);
        var finite = log.Series.ToDictionary(n => n, n => log.Points(n).Where(p => double.IsFinite(p.Value)).ToArray());
        // a metric's series (train and held-out) share an axis: the right one when all its values lie in [0, 1]
        bool Unit(string n) => log.Series.Where(m => Metric(m).Metric == Metric(n).Metric).All(m => finite[m].All(p => p.Value >= 0 && p.Value <= 1));
        var left = log.Series.Where(n => !Unit(n)).ToList();
        var right = log.Series.Where(Unit).ToList();
        if (left.Count == 0) (left, right) = (right, new List<string>());
        var leftValues = left.SelectMany(n => finite[n].Select(p => p.Value)).ToList();
        bool logScale = leftValues.Count > 0 && leftValues.Min() > 0 && leftValues.Max() / leftValues.Min() >= 100;

        var palette = new ScottPlot.Palettes.Category10();
        var metrics = new List<string>();
        foreach (var name in log.Series)
        {
            var (metric, heldOut) = Metric(name);
            if (!metrics.Contains(metric)) metrics.Add(metric);
            var points = finite[name];
            bool onRight = right.Contains(name);
            var ys = points.Select(p => onRight || !logScale ? p.Value : Math.Log10(p.Value)).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), ys);
            line.LegendText = onRight && left.Count > 0 ? name + " (right axis)" : name;
            line.Color = palette.GetColor(metrics.IndexOf(metric));
            line.LineWidth = 2;
            line.MarkerSize = points.Length <= 40 ? 5 : 0;
            if (heldOut && dashes) line.LinePattern = LinePattern.Dashed;
            else if (heldOut) { line.MarkerShape = MarkerShape.OpenSquare; line.MarkerSize = 6; }
            if (onRight) line.Axes.YAxis = plot.Axes.Right;
        }
        plot.Axes.Left.Label.Text = AxisLabel(left);
        if (right.Count > 0) plot.Axes.Right.Label.Text = AxisLabel(right);
        if (logScale)
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
            };
        if (log.Series.Count > 0) plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    /// <summary>"test accuracy" → ("accuracy", held out); "train loss" → ("loss", not); other names are their own metric.</summary>
    private static (string Metric, bool HeldOut) Metric(string name)
    {
        foreach (var p in HeldOut)
            if (name.StartsWith(p, StringComparison.OrdinalIgnoreCase)) return (name.Substring(p.Length), true);
        if (name.StartsWith("train ", StringComparison.OrdinalIgnoreCase)) return (name.Substring(6), false);
        return (name, false);
    }

    private static string AxisLabel(IEnumerable<string> names)
    {
        var metrics = names.Select(n => Metric(n).Metric).Distinct().ToList();
        var sb = new StringBuilder();
        foreach (var m in metrics.Take(3)) sb.Append(sb.Length > 0 ? ", " : "").Append(m);
        if (metrics.Count > 3) sb.Append(", …");
        return sb.ToString();
    }
}

/// <summary>
/// Writes images (samples of a generative model, reconstructions, filters) as one grayscale PNG grid, drawn by ScottPlot
/// as a heatmap at one pixel per cell. Values are mapped from [low, high] to black..white (clamped).
/// </summary>
public static class ImageGrid
{
    /// <summary>
    /// Writes <paramref name="images"/> [N, H·W] (or [N, H, W]) as a grid of <paramref name="columns"/> images per row,
    /// each <paramref name="height"/> × <paramref name="width"/> pixels and scaled up by <paramref name="scale"/>, with a
    /// one-pixel dark gap. The file is written atomically (a temporary file renamed over the target).
    /// </summary>
    public static void WritePng(string path, Tensor images, int height, int width, int columns = 8, int scale = 2, float low = 0, float high = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Shape.Length > 0 ? images.Shape[0] : 0;
        if (n < 1 || images.Length != (long)n * height * width)
            throw new ArgumentException($"ImageGrid: images of shape {Tensor.Format(images.Shape)} are not N images of {height}×{width} pixels.", nameof(images));
        if (columns < 1 || scale < 1 || !(high > low))
            throw new ArgumentException($"ImageGrid: columns ({columns}) and scale ({scale}) must be positive and high ({high}) above low ({low}).");
        columns = Math.Min(columns, n);
        int rows = (n + columns - 1) / columns, cell = 1;
        int w = columns * (width * scale + cell) + cell, h = rows * (height * scale + cell) + cell;
        var mosaic = new double[h, w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) mosaic[y, x] = 0.25; // gaps: dark gray
        for (int k = 0; k < n; k++)
        {
            int top = cell + k / columns * (height * scale + cell), left = cell + k % columns * (width * scale + cell);
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    double v = (images.Data[(long)k * height * width + y / scale * width + x / scale] - low) / (double)(high - low);
                    mosaic[top + y, left + x] = Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1);
                }
        }
        var plot = new Plot();
        var map = plot.Add.Heatmap(mosaic);
        map.Colormap = new ScottPlot.Colormaps.Grayscale();
        map.ManualRange = new ScottPlot.Range(0, 1);
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Axes.Margins(0, 0);
        AtomicFile.Write(path, plot.GetImageBytes(w, h, ImageFormat.Png));
    }
}
