using System;

namespace GraphNet.Runtime;

/// <summary>
/// Sliding windows (im2col) and their adjoint (col2im) for 1 or 2 spatial dims; a 1-d window is the
/// 2-d case with a height of 1. Windows are laid out [N, OH, OW, C, KH, KW], so a convolution is one
/// GEMM of [N·OH·OW, C·KH·KW] by the transposed weights.
/// </summary>
public static class Windows
{
    public static void Unfold(ReadOnlySpan<float> x, Span<float> cols, int n, int c, int h, int w, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw)
    {
        int p = 0;
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = ox * sw - pw;
                    bool inside = x0 >= 0 && x0 + (kw - 1) * dw < w;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int plane = (b * c + ch) * h * w;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy * sh - ph + ky * dh;
                            var dst = cols.Slice(p, kw);
                            p += kw;
                            if ((uint)iy >= (uint)h) { dst.Clear(); continue; }
                            int row = plane + iy * w;
                            if (inside && dw == 1) { x.Slice(row + x0, kw).CopyTo(dst); continue; }
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int ix = x0 + kx * dw;
                                dst[kx] = (uint)ix < (uint)w ? x[row + ix] : 0f;
                            }
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Unfold"/>: adds every window element back at its source position.</summary>
    public static void Fold(ReadOnlySpan<float> cols, Span<float> x, int n, int c, int h, int w, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw)
    {
        x.Slice(0, n * c * h * w).Clear();
        int p = 0;
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = ox * sw - pw;
                    for (int ch = 0; ch < c; ch++)
                    {
                        int plane = (b * c + ch) * h * w;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy * sh - ph + ky * dh;
                            if ((uint)iy >= (uint)h) { p += kw; continue; }
                            int row = plane + iy * w;
                            for (int kx = 0; kx < kw; kx++, p++)
                            {
                                int ix = x0 + kx * dw;
                                if ((uint)ix < (uint)w) x[row + ix] += cols[p];
                            }
                        }
                    }
                }
    }
}

/// <summary>Gather and scatter-add by row index, slice and pad along one axis (a tensor seen as [outer, n, inner]).</summary>
public static class Indexing
{
    public static void Gather(ReadOnlySpan<float> table, ReadOnlySpan<float> ids, Span<float> output, int count, int rowLen, int rows)
    {
        for (int i = 0; i < count; i++)
        {
            int id = Row(ids[i], i, rows, "gather");
            table.Slice(id * rowLen, rowLen).CopyTo(output.Slice(i * rowLen, rowLen));
        }
    }

    public static void ScatterAdd(ReadOnlySpan<float> ids, ReadOnlySpan<float> values, Span<float> output, int count, int rowLen, int rows)
    {
        output.Slice(0, rows * rowLen).Clear();
        for (int i = 0; i < count; i++)
        {
            int id = Row(ids[i], i, rows, "scatter_add");
            var dst = output.Slice(id * rowLen, rowLen);
            var src = values.Slice(i * rowLen, rowLen);
            for (int j = 0; j < rowLen; j++) dst[j] += src[j];
        }
    }

    private static int Row(float value, int position, int rows, string op)
    {
        int id = (int)value;
        if (id != value || (uint)id >= (uint)rows)
            throw new ArgumentOutOfRangeException("ids",
                $"{op}: index {value} at position {position} is not a row of the table; expected an integer in 0 .. {rows - 1}.");
        return id;
    }

    public static void Slice(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, int start, int length)
    {
        for (int o = 0; o < outer; o++)
            x.Slice((o * n + start) * inner, length * inner).CopyTo(output.Slice(o * length * inner, length * inner));
    }

    public static void Pad(ReadOnlySpan<float> x, Span<float> output, int outer, int n, int inner, int before, int after)
    {
        int m = n + before + after;
        for (int o = 0; o < outer; o++)
        {
            var row = output.Slice(o * m * inner, m * inner);
            row.Slice(0, before * inner).Clear();
            x.Slice(o * n * inner, n * inner).CopyTo(row.Slice(before * inner));
            row.Slice((before + n) * inner).Clear();
        }
    }
}
