using System;
using System.IO;
using System.IO.Compression;

namespace GraphNet;

/// <summary>
/// Writes images (samples of a generative model, reconstructions, filters) as one grayscale PNG grid: no imaging
/// library needed. Values are clamped to [0, 1] (0 black, 1 white) unless a range is given.
/// </summary>
public static class ImageGrid
{
    /// <summary>
    /// Writes <paramref name="images"/> [N, H·W] (or [N, H, W]) as a grid of <paramref name="columns"/> images per row,
    /// each <paramref name="height"/> × <paramref name="width"/> pixels and scaled up by <paramref name="scale"/>, with a
    /// one-pixel gap. The file is written atomically (a temporary file renamed over the target).
    /// </summary>
    public static void WritePng(string path, Tensor images, int height, int width, int columns = 8, int scale = 2, float low = 0, float high = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        int n = images.Shape.Length > 0 ? images.Shape[0] : 0;
        if (n < 1 || images.Length != (long)n * height * width)
            throw new ArgumentException($"ImageGrid: images of shape {Tensor.Format(images.Shape)} are not N images of {height}×{width} pixels.", nameof(images));
        if (columns < 1 || scale < 1 || !(high > low))
            throw new ArgumentException($"ImageGrid: columns ({columns}) and scale ({scale}) must be positive and high ({high}) above low ({low}).");
        int rows = (n + columns - 1) / columns, cell = 1;
        int w = columns * (width * scale + cell) + cell, h = rows * (height * scale + cell) + cell;
        var pixels = new byte[h * (w + 1)]; // each row starts with PNG filter byte 0
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (i % (w + 1)) == 0 ? (byte)0 : (byte)64; // gaps: dark gray
        for (int k = 0; k < n; k++)
        {
            int top = cell + (k / columns) * (height * scale + cell), left = cell + (k % columns) * (width * scale + cell);
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    float v = (images.Data[(long)k * height * width + (y / scale) * width + x / scale] - low) / (high - low);
                    pixels[(top + y) * (w + 1) + 1 + left + x] = (byte)Math.Round(255 * Math.Clamp(float.IsNaN(v) ? 0 : v, 0f, 1f));
                }
        }
        using var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BigEndian(header, 0, w); BigEndian(header, 4, h);
        header[8] = 8; header[9] = 0; // 8-bit grayscale
        Chunk(png, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(pixels);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", Array.Empty<byte>());
        AtomicFile.Write(path, png.GetBuffer().AsSpan(0, (int)png.Length));
    }

    private static void BigEndian(byte[] b, int at, int v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var head = new byte[8];
        BigEndian(head, 0, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc(head.AsSpan(4, 4), 0xFFFFFFFFu);
        crc = Crc(data, crc) ^ 0xFFFFFFFFu;
        var tail = new byte[4];
        BigEndian(tail, 0, unchecked((int)crc));
        s.Write(tail);
    }

    private static uint Crc(ReadOnlySpan<byte> data, uint crc)
    {
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc;
    }
}
