using System;
using GraphNet.Runtime;
using Xunit;

namespace GraphNet.Tests.Kernels;

/// <summary>Sliding windows (im2col) and their adjoint (col2im) against plain loops, bitwise, on 1 to 3 threads.</summary>
[Collection("Workers")]
public class WindowsTests
{
    // n, c, h, w, kh, kw, stride, dilation, padding
    public static TheoryData<int, int, int, int, int, int, int, int, int> Geometries => new()
    {
        { 64, 1, 28, 28, 5, 5, 1, 1, 2 },   // LeNet's first convolution
        { 64, 6, 14, 14, 5, 5, 1, 1, 0 },   // and its second
        { 9, 4, 8, 8, 3, 3, 2, 1, 1 },      // strided
        { 5, 3, 9, 11, 3, 3, 1, 2, 2 },     // dilated
        { 7, 2, 6, 13, 1, 8, 1, 1, 0 },     // eight taps: a whole vector per window row
        { 7, 2, 6, 13, 2, 9, 1, 1, 4 },     // more taps than a vector
        { 3, 5, 1, 30, 1, 4, 1, 1, 1 },     // a 1-d window
        { 40, 2, 4, 5, 4, 5, 1, 1, 0 },     // one output position per image
        { 4, 1, 7, 9, 1, 6, 1, 1, 0 },      // one row of six taps per window: every row written exactly
        { 4, 3, 5, 7, 2, 2, 1, 1, 1 },      // two taps
        { 3, 2, 6, 20, 3, 12, 1, 1, 3 },    // twelve taps, copied in pieces
    };

    private static (int oh, int ow) Out(int h, int w, int kh, int kw, int s, int d, int p) =>
        ((h + 2 * p - d * (kh - 1) - 1) / s + 1, (w + 2 * p - d * (kw - 1) - 1) / s + 1);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Unfold_and_fold_match_plain_loops_bitwise(int n, int c, int h, int w, int kh, int kw, int s, int d, int p)
    {
        var (oh, ow) = Out(h, w, kh, kw, s, d, p);
        var r = new Random(n * 131 + c * 17 + kw);
        var x = new float[n * c * h * w];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        long colsLen = (long)n * oh * ow * c * kh * kw;
        var g = new float[colsLen];
        for (int i = 0; i < g.Length; i++) g[i] = (float)(r.NextDouble() * 2 - 1);

        // The definitions: window element (b, oy, ox, ch, ky, kx) is x[b, ch, oy·s − p + ky·d, ox·s − p + kx·d], or 0
        // outside; folding adds each window element back there, in window order.
        var wantCols = new float[colsLen];
        var wantX = new float[x.Length];
        long q = 0;
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++, q++)
                            {
                                int iy = oy * s - p + ky * d, ix = ox * s - p + kx * d;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                long at = ((long)(b * c + ch) * h + iy) * w + ix;
                                wantCols[q] = x[at];
                                wantX[at] += g[q];
                            }

        foreach (int threads in new[] { 1, 2, 3 })
        {
            Workers.SetThreads(threads);
            try
            {
                var cols = new float[colsLen];
                cols.AsSpan().Fill(float.NaN); // every element must be written, padding included
                Windows.Unfold(x, cols, n, c, h, w, oh, ow, kh, kw, s, s, d, d, p, p);
                Assert.Equal(wantCols, cols);
                var back = new float[x.Length];
                back.AsSpan().Fill(float.NaN); // folding starts from zero itself
                Windows.Fold(g, back, n, c, h, w, oh, ow, kh, kw, s, s, d, d, p, p);
                for (int i = 0; i < back.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(wantX[i]) == BitConverter.SingleToInt32Bits(back[i]),
                        $"fold at {i} on {threads} threads: {back[i]:R}, want {wantX[i]:R}");
            }
            finally { Workers.SetThreads(Environment.ProcessorCount); }
        }
    }

    [Fact]
    public void Too_small_buffers_are_refused_with_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Windows.Unfold(new float[2 * 16], new float[10], 2, 1, 4, 4, 2, 2, 3, 3, 1, 1, 1, 1, 0, 0));
        Assert.Contains("windows 72", e.Message);
        Assert.Contains("has 10", e.Message);
    }
}
