using System;
using System.Runtime.Intrinsics;

namespace GraphNet.Runtime;

/// <summary>
/// Direct stride-1 convolution for small channel counts (LeNet's 1→6 and 6→16), from the image, with no window matrix:
/// each image is copied once into a zero-padded [C, Hp, Wp] buffer, and the output is computed over "virtual" rows of the
/// padded width, so that every tap (c, ky, kx) reads one contiguous run of the padded image at offset
/// c·Hp·Wp + ky·dh·Wp + kx·dw from the output position (the columns past the real width are dropped). Three output
/// channels × 32 positions stay in registers while the taps stream. The weight gradient is the same correlation of the
/// padded image with the output gradient, summed per part of the batch (parts fixed by its size) and the parts added in
/// order, so results have the same bits on any thread count. A 1-d convolution is the 2-d case with a height of 1.
/// Called by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static unsafe class Convolution
{
    private const int Chunk = 32; // output positions per register block (four 8-lane vectors)
    private const int MaxParts = 8;
    /// <summary>16-lane loops (default where AVX-512 runs); false: the 8-lane ones (tests run both).</summary>
    internal static bool Wide { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// out [n, o, oh, ow] = Σ_{c, ky, kx} w[o, c, ky, kx]·x[n, c, oy + ky·dh − ph, ox + kx·dw − pw] (zero outside the image).
    /// Geometry as <see cref="Windows.Unfold"/>'s (stride 1), then the output channels.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> output, int n, int c, int h, int wd, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o)
    {
        var g = Geometry.Of(n, c, h, wd, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw, o, x.Length, w.Length, output.Length, "output", (long)n * o * oh * ow);
        fixed (float* px = x, pk = w, po = output)
        {
            var job = new Job { G = g, X = px, W = pk, Out = po, Parts = Parts(g) };
            if (job.Parts == 1) job.Run(0);
            else Workers.For(job.Parts, ref job);
        }
    }

    /// <summary>
    /// The weight gradient dW [o, c, kh, kw] = Σ_{n, oy, ox} g[n, o, oy, ox]·x[n, c, oy + ky·dh − ph, ox + kx·dw − pw] of
    /// <see cref="Forward"/>, given its output gradient <paramref name="grad"/> [n, o, oh, ow] and the images.
    /// </summary>
    public static void WeightGradient(ReadOnlySpan<float> grad, ReadOnlySpan<float> x, Span<float> output, int n, int c, int h, int wd, int oh, int ow,
        int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o)
    {
        var g = Geometry.Of(n, c, h, wd, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw, o, x.Length, (long)o * c * kh * kw, output.Length, "weight gradient", (long)o * c * kh * kw);
        if (grad.Length < (long)n * o * oh * ow)
            throw new ArgumentException($"convolution: the output gradient holds {grad.Length} floats, expected at least {(long)n * o * oh * ow}.");
        int taps = o * c * kh * kw, parts = Math.Max(1, Math.Min(n, MaxParts));
        var tables = _tables is { } held && held.Length >= parts * taps ? held : (_tables = new float[parts * taps]); // reused: a warm step allocates nothing
        fixed (float* px = x, pg = grad, pt = tables)
        {
            var job = new Job { G = g, X = px, Grad = pg, Out = pt, Parts = parts, Weights = true };
            if (parts == 1 || (long)n * o * oh * ow * c * kh * kw < Workers.SplitElements * 4)
                for (int p = 0; p < parts; p++) job.Run(p);
            else Workers.For(parts, ref job);
        }
        var dst = output.Slice(0, taps);
        tables.AsSpan(0, taps).CopyTo(dst);
        for (int p = 1; p < parts; p++)
        {
            var t = tables.AsSpan(p * taps, taps);
            for (int i = 0; i < taps; i++) dst[i] += t[i];
        }
    }

    private static int Parts(in Geometry g) =>
        (long)g.N * g.O * g.OH * g.OW * g.C * g.KH * g.KW >= Workers.SplitElements * 4 ? Math.Min(g.N, Workers.Threads * 4) : 1;

    private readonly struct Geometry
    {
        public readonly int N, C, H, W, OH, OW, KH, KW, DH, DW, PH, PW, O, Hp, Wp, Virtual, Padded;

        private Geometry(int n, int c, int h, int w, int oh, int ow, int kh, int kw, int dh, int dw, int ph, int pw, int o)
        {
            N = n; C = c; H = h; W = w; OH = oh; OW = ow; KH = kh; KW = kw; DH = dh; DW = dw; PH = ph; PW = pw; O = o;
            Hp = oh + (kh - 1) * dh; // stride 1: the padded height the output rows need
            Wp = Math.Max(ow + (kw - 1) * dw, 1);
            Virtual = (oh * Wp + Chunk - 1) / Chunk * Chunk;
            Padded = c * Hp * Wp + Chunk + (kw - 1) * dw + (kh - 1) * dh * Wp + 8;
        }

        public static Geometry Of(int n, int c, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw, int ph, int pw, int o,
            long xLength, long wLength, long outLength, string outName, long outNeed)
        {
            if (sh != 1 || sw != 1) throw new ArgumentException($"direct convolution runs stride 1, got stride {sh}x{sw}.");
            if (n < 0 || c < 1 || h < 1 || w < 1 || oh < 1 || ow < 1 || kh < 1 || kw < 1 || dh < 1 || dw < 1 || ph < 0 || pw < 0 || o < 1)
                throw new ArgumentException($"convolution: bad geometry (images {n}, channels {c}, {h}x{w} to {oh}x{ow}, kernel {kh}x{kw}, dilation {dh}x{dw}, padding {ph}x{pw}, {o} outputs).");
            if (xLength < (long)n * c * h * w) throw new ArgumentException($"convolution: the image buffer holds {xLength} floats, expected at least {(long)n * c * h * w}.");
            if (wLength < (long)o * c * kh * kw) throw new ArgumentException($"convolution: the weight buffer holds {wLength} floats, expected at least {(long)o * c * kh * kw}.");
            if (outLength < outNeed) throw new ArgumentException($"convolution: the {outName} buffer holds {outLength} floats, expected at least {outNeed}.");
            return new Geometry(n, c, h, w, oh, ow, kh, kw, dh, dw, ph, pw, o);
        }
    }

    [ThreadStatic] private static float[]? _scratch;
    [ThreadStatic] private static float[]? _tables;

    private struct Job : IParallelJob
    {
        public Geometry G;
        public float* X, W, Grad, Out;
        public int Parts;
        public bool Weights;

        public void Run(int part)
        {
            int lo = (int)((long)G.N * part / Parts), hi = (int)((long)G.N * (part + 1) / Parts);
            int weights = G.O * G.C * G.KH * G.KW;
            // the 16-lane weight gradient keeps each weight's lanes apart until the part's last image (one horizontal sum per part)
            long need = G.Padded + (long)G.O * G.Virtual + (Weights && Wide ? 16L * weights : 0);
            var scratch = _scratch is { } s && s.Length >= need ? s : (_scratch = new float[need]);
            fixed (float* p = scratch)
            {
                float* padded = p, rows = p + G.Padded, lanes = rows + (long)G.O * G.Virtual, table = Out + (long)part * weights;
                if (Weights) new Span<float>(Weights && Wide ? lanes : table, Wide ? 16 * weights : weights).Clear();
                for (int i = lo; i < hi; i++)
                {
                    Pad(X + (long)i * G.C * G.H * G.W, padded);
                    if (Weights) Correlate(Grad + (long)i * G.O * G.OH * G.OW, padded, rows, Wide ? lanes : table);
                    else Image(padded, rows, Out + (long)i * G.O * G.OH * G.OW);
                }
                if (Weights && Wide)
                    for (int t = 0; t < weights; t++) table[t] = Vector512.Sum(Vector512.Load(lanes + 16L * t));
            }
        }

        /// <summary>One image into the zero-padded [C, Hp, Wp] buffer (with zeros past its end for the last block's overrun).</summary>
        private void Pad(float* x, float* padded)
        {
            new Span<float>(padded, G.Padded).Clear();
            int rows = Math.Min(G.H, G.Hp - G.PH), cols = Math.Min(G.W, G.Wp - G.PW);
            for (int c = 0; c < G.C; c++)
                for (int y = 0; y < rows; y++)
                    new ReadOnlySpan<float>(x + ((long)c * G.H + y) * G.W, cols).CopyTo(new Span<float>(padded + ((long)c * G.Hp + y + G.PH) * G.Wp + G.PW, cols));
        }

        /// <summary>The output channels of one image: three channels × 32 virtual positions in registers, the taps streamed.</summary>
        private void Image(float* padded, float* rows, float* output)
        {
            int taps = G.C * G.KH * G.KW;
            if (Wide) { ImageWide(padded, rows); Crop(rows, output); return; }
            for (int o0 = 0; o0 < G.O; o0 += 3)
            {
                float* w0 = W + (long)o0 * taps, w1 = W + (long)Math.Min(o0 + 1, G.O - 1) * taps, w2 = W + (long)Math.Min(o0 + 2, G.O - 1) * taps;
                for (int p0 = 0; p0 < G.Virtual; p0 += Chunk)
                {
                    Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
                        a20 = default, a21 = default, a22 = default, a23 = default;
                    int t = 0;
                    for (int c = 0; c < G.C; c++)
                        for (int ky = 0; ky < G.KH; ky++)
                        {
                            float* src = padded + ((long)c * G.Hp + ky * G.DH) * G.Wp + p0;
                            for (int kx = 0; kx < G.KW; kx++, t++, src += G.DW)
                            {
                                var x0 = Vector256.Load(src);
                                var x1 = Vector256.Load(src + 8);
                                var x2 = Vector256.Load(src + 16);
                                var x3 = Vector256.Load(src + 24);
                                var b = Vector256.Create(w0[t]);
                                a00 = Vector256.FusedMultiplyAdd(b, x0, a00); a01 = Vector256.FusedMultiplyAdd(b, x1, a01);
                                a02 = Vector256.FusedMultiplyAdd(b, x2, a02); a03 = Vector256.FusedMultiplyAdd(b, x3, a03);
                                b = Vector256.Create(w1[t]);
                                a10 = Vector256.FusedMultiplyAdd(b, x0, a10); a11 = Vector256.FusedMultiplyAdd(b, x1, a11);
                                a12 = Vector256.FusedMultiplyAdd(b, x2, a12); a13 = Vector256.FusedMultiplyAdd(b, x3, a13);
                                b = Vector256.Create(w2[t]);
                                a20 = Vector256.FusedMultiplyAdd(b, x0, a20); a21 = Vector256.FusedMultiplyAdd(b, x1, a21);
                                a22 = Vector256.FusedMultiplyAdd(b, x2, a22); a23 = Vector256.FusedMultiplyAdd(b, x3, a23);
                            }
                        }
                    float* r = rows + (long)o0 * G.Virtual + p0;
                    a00.Store(r); a01.Store(r + 8); a02.Store(r + 16); a03.Store(r + 24);
                    if (o0 + 1 < G.O) { r += G.Virtual; a10.Store(r); a11.Store(r + 8); a12.Store(r + 16); a13.Store(r + 24); }
                    if (o0 + 2 < G.O) { r += G.Virtual; a20.Store(r); a21.Store(r + 8); a22.Store(r + 16); a23.Store(r + 24); }
                }
            }
            Crop(rows, output);
        }

        /// <summary>As <see cref="Image"/>'s loop with 16 lanes: three channels × 32 positions in six registers.</summary>
        private void ImageWide(float* padded, float* rows)
        {
            int taps = G.C * G.KH * G.KW;
            for (int o0 = 0; o0 < G.O; o0 += 3)
            {
                float* w0 = W + (long)o0 * taps, w1 = W + (long)Math.Min(o0 + 1, G.O - 1) * taps, w2 = W + (long)Math.Min(o0 + 2, G.O - 1) * taps;
                for (int p0 = 0; p0 < G.Virtual; p0 += Chunk)
                {
                    Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                    int t = 0;
                    for (int c = 0; c < G.C; c++)
                        for (int ky = 0; ky < G.KH; ky++)
                        {
                            float* src = padded + ((long)c * G.Hp + ky * G.DH) * G.Wp + p0;
                            for (int kx = 0; kx < G.KW; kx++, t++, src += G.DW)
                            {
                                var x0 = Vector512.Load(src);
                                var x1 = Vector512.Load(src + 16);
                                var b = Vector512.Create(w0[t]);
                                a00 = Vector512.FusedMultiplyAdd(b, x0, a00); a01 = Vector512.FusedMultiplyAdd(b, x1, a01);
                                b = Vector512.Create(w1[t]);
                                a10 = Vector512.FusedMultiplyAdd(b, x0, a10); a11 = Vector512.FusedMultiplyAdd(b, x1, a11);
                                b = Vector512.Create(w2[t]);
                                a20 = Vector512.FusedMultiplyAdd(b, x0, a20); a21 = Vector512.FusedMultiplyAdd(b, x1, a21);
                            }
                        }
                    float* r = rows + (long)o0 * G.Virtual + p0;
                    a00.Store(r); a01.Store(r + 16);
                    if (o0 + 1 < G.O) { r += G.Virtual; a10.Store(r); a11.Store(r + 16); }
                    if (o0 + 2 < G.O) { r += G.Virtual; a20.Store(r); a21.Store(r + 16); }
                }
            }
        }

        /// <summary>The real columns of each virtual row, into the output [O, OH, OW].</summary>
        private void Crop(float* rows, float* output)
        {
            for (int o = 0; o < G.O; o++)
                for (int y = 0; y < G.OH; y++)
                    new ReadOnlySpan<float>(rows + (long)o * G.Virtual + (long)y * G.Wp, G.OW).CopyTo(new Span<float>(output + ((long)o * G.OH + y) * G.OW, G.OW));
        }

        /// <summary>One image's share of the weight gradient: its output gradient laid out in virtual rows (zeros past the real width), correlated with the padded image.</summary>
        private void Correlate(float* grad, float* padded, float* rows, float* table)
        {
            new Span<float>(rows, G.O * G.Virtual).Clear();
            for (int o = 0; o < G.O; o++)
                for (int y = 0; y < G.OH; y++)
                    new ReadOnlySpan<float>(grad + ((long)o * G.OH + y) * G.OW, G.OW).CopyTo(new Span<float>(rows + (long)o * G.Virtual + (long)y * G.Wp, G.OW));
            int taps = G.C * G.KH * G.KW, length = G.OH * G.Wp, whole = length & ~7, span = (length + 15) & ~15;
            // three output channels at a time: each run of the padded image is loaded once for all three
            for (int o0 = 0; o0 < G.O; o0 += 3)
            {
                int oc = Math.Min(3, G.O - o0);
                float* d0 = rows + (long)o0 * G.Virtual, d1 = oc > 1 ? d0 + G.Virtual : d0, d2 = oc > 2 ? d0 + 2L * G.Virtual : d0;
                int t = 0;
                for (int c = 0; c < G.C; c++)
                    for (int ky = 0; ky < G.KH; ky++)
                    {
                        float* src = padded + ((long)c * G.Hp + ky * G.DH) * G.Wp;
                        int kx = 0;
                        if (Wide) // 16 lanes over whole 16s of positions: the gradient rows are zero past the real ones
                        {
                            for (; kx + 4 <= G.KW; kx += 4, t += 4)
                                Taps4Wide(d0, d1, d2, src + kx * G.DW, G.DW, span, table + 16L * ((long)o0 * taps + t), taps, oc);
                            for (; kx < G.KW; kx++, t++)
                                Tap1Wide(d0, d1, d2, src + kx * G.DW, span, table + 16L * ((long)o0 * taps + t), taps, oc);
                            continue;
                        }
                        for (; kx + 4 <= G.KW; kx += 4, t += 4)
                            Taps4(d0, d1, d2, src + kx * G.DW, G.DW, whole, length, table + (long)o0 * taps + t, taps, oc);
                        for (; kx < G.KW; kx++, t++)
                            Tap1(d0, d1, d2, src + kx * G.DW, whole, length, table + (long)o0 * taps + t, taps, oc);
                    }
            }
        }

        /// <summary>
        /// As <see cref="Taps4"/> with 16 lanes, over <paramref name="span"/> positions (a multiple of 16; zeros past the real
        /// ones), adding each weight's lanes into its 16 floats of <paramref name="acc"/> (weights 16 floats apart).
        /// </summary>
        private static void Taps4Wide(float* d0, float* d1, float* d2, float* s0, int step, int span, float* acc, int taps, int oc)
        {
            float* s1 = s0 + step, s2 = s1 + step, s3 = s2 + step;
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
                a20 = default, a21 = default, a22 = default, a23 = default;
            for (int p = 0; p < span; p += 16)
            {
                var x0 = Vector512.Load(s0 + p); var x1 = Vector512.Load(s1 + p); var x2 = Vector512.Load(s2 + p); var x3 = Vector512.Load(s3 + p);
                var g = Vector512.Load(d0 + p);
                a00 = Vector512.FusedMultiplyAdd(g, x0, a00); a01 = Vector512.FusedMultiplyAdd(g, x1, a01);
                a02 = Vector512.FusedMultiplyAdd(g, x2, a02); a03 = Vector512.FusedMultiplyAdd(g, x3, a03);
                g = Vector512.Load(d1 + p);
                a10 = Vector512.FusedMultiplyAdd(g, x0, a10); a11 = Vector512.FusedMultiplyAdd(g, x1, a11);
                a12 = Vector512.FusedMultiplyAdd(g, x2, a12); a13 = Vector512.FusedMultiplyAdd(g, x3, a13);
                g = Vector512.Load(d2 + p);
                a20 = Vector512.FusedMultiplyAdd(g, x0, a20); a21 = Vector512.FusedMultiplyAdd(g, x1, a21);
                a22 = Vector512.FusedMultiplyAdd(g, x2, a22); a23 = Vector512.FusedMultiplyAdd(g, x3, a23);
            }
            Add(acc, a00); Add(acc + 16, a01); Add(acc + 32, a02); Add(acc + 48, a03);
            if (oc > 1) { float* b = acc + 16L * taps; Add(b, a10); Add(b + 16, a11); Add(b + 32, a12); Add(b + 48, a13); }
            if (oc > 2) { float* b = acc + 32L * taps; Add(b, a20); Add(b + 16, a21); Add(b + 32, a22); Add(b + 48, a23); }
        }

        private static void Add(float* at, Vector512<float> v) => (Vector512.Load(at) + v).Store(at);

        /// <summary>As <see cref="Tap1"/> with 16 lanes.</summary>
        private static void Tap1Wide(float* d0, float* d1, float* d2, float* s0, int span, float* acc, int taps, int oc)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default;
            for (int p = 0; p < span; p += 16)
            {
                var x0 = Vector512.Load(s0 + p);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(d0 + p), x0, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(d1 + p), x0, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(d2 + p), x0, a2);
            }
            Add(acc, a0);
            if (oc > 1) Add(acc + 16L * taps, a1);
            if (oc > 2) Add(acc + 32L * taps, a2);
        }

        /// <summary>Four taps (kx, kx + 1, ...) of up to three output channels: twelve sums over the virtual positions.</summary>
        private static void Taps4(float* d0, float* d1, float* d2, float* s0, int step, int whole, int length, float* acc, int taps, int oc)
        {
            float* s1 = s0 + step, s2 = s1 + step, s3 = s2 + step;
            Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
                a20 = default, a21 = default, a22 = default, a23 = default;
            for (int p = 0; p < whole; p += 8)
            {
                var x0 = Vector256.Load(s0 + p); var x1 = Vector256.Load(s1 + p); var x2 = Vector256.Load(s2 + p); var x3 = Vector256.Load(s3 + p);
                var g = Vector256.Load(d0 + p);
                a00 = Vector256.FusedMultiplyAdd(g, x0, a00); a01 = Vector256.FusedMultiplyAdd(g, x1, a01);
                a02 = Vector256.FusedMultiplyAdd(g, x2, a02); a03 = Vector256.FusedMultiplyAdd(g, x3, a03);
                g = Vector256.Load(d1 + p);
                a10 = Vector256.FusedMultiplyAdd(g, x0, a10); a11 = Vector256.FusedMultiplyAdd(g, x1, a11);
                a12 = Vector256.FusedMultiplyAdd(g, x2, a12); a13 = Vector256.FusedMultiplyAdd(g, x3, a13);
                g = Vector256.Load(d2 + p);
                a20 = Vector256.FusedMultiplyAdd(g, x0, a20); a21 = Vector256.FusedMultiplyAdd(g, x1, a21);
                a22 = Vector256.FusedMultiplyAdd(g, x2, a22); a23 = Vector256.FusedMultiplyAdd(g, x3, a23);
            }
            Finish(acc, Vector256.Sum(a00), Vector256.Sum(a01), Vector256.Sum(a02), Vector256.Sum(a03), d0, s0, s1, s2, s3, whole, length);
            if (oc > 1) Finish(acc + taps, Vector256.Sum(a10), Vector256.Sum(a11), Vector256.Sum(a12), Vector256.Sum(a13), d1, s0, s1, s2, s3, whole, length);
            if (oc > 2) Finish(acc + 2 * taps, Vector256.Sum(a20), Vector256.Sum(a21), Vector256.Sum(a22), Vector256.Sum(a23), d2, s0, s1, s2, s3, whole, length);
        }

        private static void Finish(float* acc, float e0, float e1, float e2, float e3, float* d, float* s0, float* s1, float* s2, float* s3, int whole, int length)
        {
            for (int p = whole; p < length; p++) { e0 += d[p] * s0[p]; e1 += d[p] * s1[p]; e2 += d[p] * s2[p]; e3 += d[p] * s3[p]; }
            acc[0] += e0; acc[1] += e1; acc[2] += e2; acc[3] += e3;
        }

        /// <summary>One tap of up to three output channels.</summary>
        private static void Tap1(float* d0, float* d1, float* d2, float* s0, int whole, int length, float* acc, int taps, int oc)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default;
            for (int p = 0; p < whole; p += 8)
            {
                var x0 = Vector256.Load(s0 + p);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(d0 + p), x0, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(d1 + p), x0, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(d2 + p), x0, a2);
            }
            float e0 = Vector256.Sum(a0), e1 = Vector256.Sum(a1), e2 = Vector256.Sum(a2);
            for (int p = whole; p < length; p++) { e0 += d0[p] * s0[p]; e1 += d1[p] * s0[p]; e2 += d2[p] * s0[p]; }
            acc[0] += e0;
            if (oc > 1) acc[taps] += e1;
            if (oc > 2) acc[2 * taps] += e2;
        }
    }
}
