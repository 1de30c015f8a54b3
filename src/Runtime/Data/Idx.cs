using System;
using System.IO;
using System.IO.Compression;

namespace GraphNet.Data;

/// <summary>Reads the IDX format of MNIST (raw or gzip): uint8 images and labels.</summary>
public static class Idx
{
    /// <summary>Images as a [N, rows*cols] tensor scaled to [0, 1].</summary>
    public static Tensor ReadImages(string path)
    {
        var bytes = ReadAll(path);
        Expect(path, bytes, 0x00000803, "images (idx3-ubyte)", "a 16-byte header (magic, count, rows, cols)", 16);
        int n = Field(path, bytes, 4, "the image count", Array.MaxLength);
        int rows = Field(path, bytes, 8, "rows", int.MaxValue), cols = Field(path, bytes, 12, "cols", int.MaxValue);
        long pixels = checked((long)rows * cols);
        if (pixels > Array.MaxLength)
            throw new InvalidDataException($"IDX file '{path}': rows x cols = {rows} x {cols} = {pixels} pixels per image; the valid range is [0, {Array.MaxLength}].");
        long values = checked(n * pixels);
        if (values > Array.MaxLength)
            throw new InvalidDataException($"IDX file '{path}': count x rows x cols = {n} x {rows} x {cols} = {values} pixels; the valid range is [0, {Array.MaxLength}], the most a tensor holds.");
        long need = 16 + values;
        if (bytes.Length < need)
            throw new InvalidDataException($"IDX file '{path}' is truncated: header says {n} images of {rows}x{cols} ({need} bytes), file has {bytes.Length} bytes.");
        var t = new Tensor(n, (int)pixels);
        for (int i = 0; i < t.Length; i++) t.Data[i] = bytes[16 + i] / 255f;
        return t;
    }

    /// <summary>Labels as a [N] tensor of class indices stored as floats.</summary>
    public static Tensor ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        Expect(path, bytes, 0x00000801, "labels (idx1-ubyte)", "an 8-byte header (magic, count)", 8);
        int n = Field(path, bytes, 4, "the label count", Array.MaxLength);
        if (bytes.Length < 8L + n)
            throw new InvalidDataException($"IDX file '{path}' is truncated: header says {n} labels, file has {bytes.Length - 8} bytes of labels.");
        var t = new Tensor(n);
        for (int i = 0; i < n; i++) t.Data[i] = bytes[8 + i];
        return t;
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        var head = new byte[2];
        int got = file.Read(head, 0, 2);
        file.Position = 0;
        using Stream s = got == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var ms = new MemoryStream();
        try { s.CopyTo(ms); }
        catch (InvalidDataException e) { throw new InvalidDataException($"IDX file '{path}' is not valid gzip: {e.Message}", e); }
        return ms.ToArray();
    }

    private static void Expect(string path, byte[] bytes, int magic, string what, string header, int headerBytes)
    {
        if (bytes.Length < 4 || BigEndian(bytes, 0) != magic)
            throw new InvalidDataException(
                $"IDX file '{path}' does not hold {what}: expected magic 0x{magic:X8}, found {(bytes.Length < 4 ? "a file shorter than 4 bytes" : "0x" + BigEndian(bytes, 0).ToString("X8"))}.");
        if (bytes.Length < headerBytes)
            throw new InvalidDataException($"IDX file '{path}' is too short for {what}: expected {header}, found {bytes.Length} bytes.");
    }

    /// <summary>The header's 32-bit field at byte <paramref name="at"/>, which must lie in [0, <paramref name="max"/>].</summary>
    private static int Field(string path, byte[] bytes, int at, string name, int max)
    {
        int value = BigEndian(bytes, at);
        if (value < 0 || value > max)
            throw new InvalidDataException($"IDX file '{path}': {name} (header bytes {at} to {at + 3}) is {value}; the valid range is [0, {max}].");
        return value;
    }

    private static int BigEndian(byte[] b, int at) => b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}
