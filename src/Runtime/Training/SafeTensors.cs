using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace GraphNet;

/// <summary>
/// The safetensors layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON naming each tensor's
/// dtype, shape and byte range, then the data region. The header is checked whole before any data is read, with
/// the reference implementation's rules: known dtypes, sizes that match the shapes, and ranges that cover the
/// data region exactly, in any order, without gaps, overlaps or trailing bytes. Data moves through a stream in
/// chunks with 64-bit offsets, so any tensor a float[] can hold is written and read.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The reference implementation's limit on the header length.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Bytes moved per read or write call. Tests set it small, so that the chunk loops run over little data.</summary>
    internal static int ChunkBytes = 1 << 20;

    /// <summary>One tensor of the header; <see cref="Begin"/> and <see cref="End"/> are offsets into the data region.</summary>
    public sealed record Entry(string Name, string Dtype, int[] Shape, long Begin, long End);

    /// <summary>A checked header: the tensors in header order, the metadata, and where the data region starts in the file.</summary>
    public sealed record Header(Dictionary<string, Entry> Tensors, Dictionary<string, string> Metadata, long DataStart);

    /// <summary>Writes the header for <paramref name="tensors"/> (all F32, in order) and their data.</summary>
    public static void Write(Stream sink, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (var kv in metadata) json.WriteString(kv.Key, kv.Value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + sizeof(float) * (long)t.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += sizeof(float) * (long)t.Length;
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        sink.Write(length);
        header.Position = 0;
        header.CopyTo(sink);
        foreach (var (_, t) in tensors) WriteFloats(sink, t.Data);
    }

    /// <summary>Reads and checks the header of <paramref name="file"/>; errors name <paramref name="path"/> and the tensor at fault.</summary>
    public static Header ReadHeader(Stream file, string path)
    {
        string Corrupt(string why) => $"Checkpoint '{path}' is not a valid safetensors file: {why}.";
        long fileLength = file.Length;
        if (fileLength < 8) throw new InvalidDataException(Corrupt($"it has {fileLength} bytes, fewer than the 8-byte header length"));
        Span<byte> lengthBytes = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new InvalidDataException(Corrupt($"the header length {headerLength} exceeds the file's {fileLength - 8} remaining bytes"));
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException(Corrupt($"the header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes"));
        var json = new byte[headerLength];
        file.ReadExactly(json);
        if (!Utf8.IsValid(json)) throw new InvalidDataException(Corrupt("the header is not valid UTF-8 JSON"));

        var tensors = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Corrupt("the header is not a JSON object"));
            bool sawMetadata = false;
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (sawMetadata) throw new InvalidDataException(Corrupt($"{MetadataKey} appears twice"));
                    sawMetadata = true;
                    ReadMetadata(property.Value, metadata, Corrupt);
                    continue;
                }
                var entry = ReadEntry(property, Corrupt);
                if (!tensors.TryAdd(entry.Name, entry)) throw new InvalidDataException(Corrupt($"tensor '{entry.Name}' appears twice in the header"));
            }
        }
        catch (JsonException e) { throw new InvalidDataException(Corrupt("the header is not valid UTF-8 JSON: " + e.Message), e); }
        // A string escape that decodes to invalid UTF-16 (a lone surrogate such as \ud800) fails only when read.
        catch (InvalidOperationException e) { throw new InvalidDataException(Corrupt("the header is not valid UTF-8 JSON: " + e.Message), e); }

        long dataStart = 8 + (long)headerLength;
        CheckLayout(tensors.Values, fileLength - dataStart, Corrupt);
        return new Header(tensors, metadata, dataStart);
    }

    /// <summary>Reads the values of <paramref name="entry"/> (converted to float) from <paramref name="file"/>.</summary>
    public static Tensor ReadTensor(Stream file, Header header, Entry entry)
    {
        var t = new Tensor(entry.Shape);
        int size = ElementSize(entry.Dtype);
        int chunk = Math.Max(1, ChunkBytes / size);
        file.Position = header.DataStart + entry.Begin;
        if (entry.Dtype == "F32" && BitConverter.IsLittleEndian)
        {
            for (int done = 0, n; done < t.Length; done += n)
            {
                n = Math.Min(chunk, t.Length - done);
                file.ReadExactly(MemoryMarshal.AsBytes(t.Data.AsSpan(done, n)));
            }
            return t;
        }
        var buffer = new byte[Math.Min(chunk, t.Length) * size];
        for (int done = 0, n; done < t.Length; done += n)
        {
            n = Math.Min(chunk, t.Length - done);
            var bytes = buffer.AsSpan(0, n * size);
            file.ReadExactly(bytes);
            Decode(entry.Dtype, bytes, t.Data.AsSpan(done, n));
        }
        return t;
    }

    private static void WriteFloats(Stream sink, float[] data)
    {
        int chunk = Math.Max(1, ChunkBytes / sizeof(float));
        byte[]? swapped = BitConverter.IsLittleEndian ? null : new byte[Math.Min(chunk, data.Length) * sizeof(float)];
        for (int done = 0, n; done < data.Length; done += n)
        {
            n = Math.Min(chunk, data.Length - done);
            var values = data.AsSpan(done, n);
            if (swapped is null) { sink.Write(MemoryMarshal.AsBytes(values)); continue; }
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(swapped.AsSpan(sizeof(float) * i), values[i]);
            sink.Write(swapped, 0, sizeof(float) * n);
        }
    }

    private static void Decode(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case "F32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]); break;
            case "F64": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]); break;
            case "F16": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]); break;
            case "BF16": for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16); break;
            // integer tensors (PyTorch's num_batches_tracked, label tensors) read as float
            case "I64": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]); break;
            case "U64": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]); break;
            case "I32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]); break;
            case "U32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]); break;
            case "I16": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]); break;
            case "U16": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]); break;
            case "I8": for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i]; break;
            case "U8" or "BOOL": for (int i = 0; i < dst.Length; i++) dst[i] = src[i]; break;
            default: throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a dtype GraphNet reads.");
        }
    }

    /// <summary>Bytes per value of the dtypes GraphNet reads; 0 for any other.</summary>
    private static int ElementSize(string dtype) => dtype switch
    {
        "F32" or "I32" or "U32" => 4,
        "F64" or "I64" or "U64" => 8,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, Func<string, string> corrupt)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException(corrupt($"{MetadataKey} is not an object"));
        foreach (var m in value.EnumerateObject())
            if (!metadata.TryAdd(m.Name, m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText()))
                throw new InvalidDataException(corrupt($"metadata key '{m.Name}' appears twice"));
    }

    /// <summary>One tensor's entry, checked on its own: dtype, shape, and a byte range whose length matches them.</summary>
    private static Entry ReadEntry(JsonProperty property, Func<string, string> corrupt)
    {
        string name = property.Name;
        InvalidDataException Bad(string why) => new(corrupt($"tensor '{name}' {why}"));
        var e = property.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"is {e.GetRawText()}, not an object with dtype, shape and data_offsets");
        JsonElement Field(string key, JsonValueKind kind) =>
            !e.TryGetProperty(key, out var v) ? throw Bad($"has no '{key}'")
            : v.ValueKind != kind ? throw Bad($"has '{key}' {v.GetRawText()}, which is not a JSON {kind.ToString().ToLowerInvariant()}")
            : v;

        string dtype = Field("dtype", JsonValueKind.String).GetString()!;
        int size = ElementSize(dtype);
        if (size == 0) throw Bad($"has dtype {dtype}; GraphNet reads F32, F64, F16, BF16 and the integer and BOOL dtypes (as float)");
        var shape = new List<int>();
        foreach (var d in Field("shape", JsonValueKind.Array).EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw Bad($"has dimension {d.GetRawText()} in its shape; dimensions are integers in [0, {int.MaxValue}]");
            shape.Add(dim);
        }
        var offsets = Field("data_offsets", JsonValueKind.Array);
        if (offsets.GetArrayLength() != 2 || offsets.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0))
            throw Bad($"has data_offsets {offsets.GetRawText()}; they are two integers in [0, {long.MaxValue}]");
        long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();

        long count = 1, bytes;
        try
        {
            foreach (var d in shape) count = checked(count * d);
            bytes = checked(count * size);
        }
        catch (OverflowException) { throw Bad($"{Tensor.Format(shape.ToArray())} has more values than a 64-bit count holds"); }
        if (count > Array.MaxLength) throw Bad($"{Tensor.Format(shape.ToArray())} has {count} values, more than a float array holds ({Array.MaxLength})");
        if (begin > end || end - begin != bytes)
            throw Bad($"{Tensor.Format(shape.ToArray())} {dtype} claims bytes [{begin}, {end}), which do not hold its {count} values of {size} bytes");
        return new Entry(name, dtype, shape.ToArray(), begin, end);
    }

    /// <summary>
    /// Checks that the byte ranges lie inside the data region and tile it: in offset order each starts where the
    /// previous one ended, and the last ends with the file.
    /// </summary>
    private static void CheckLayout(IReadOnlyCollection<Entry> entries, long dataLength, Func<string, string> corrupt)
    {
        foreach (var e in entries)
            if (e.End > dataLength)
                throw new InvalidDataException(corrupt($"tensor '{e.Name}' claims bytes [{e.Begin}, {e.End}), beyond the data region's {dataLength} bytes"));
        long covered = 0;
        string previous = "the start of the data region";
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            string range = $"tensor '{e.Name}' claims bytes [{e.Begin}, {e.End})";
            if (e.Begin < covered) throw new InvalidDataException(corrupt($"{range}, which overlap {previous} (up to byte {covered})"));
            if (e.Begin > covered) throw new InvalidDataException(corrupt($"{range}, which leaves the bytes [{covered}, {e.Begin}) after {previous} unused"));
            covered = e.End;
            previous = $"tensor '{e.Name}'";
        }
        if (covered != dataLength)
            throw new InvalidDataException(corrupt($"the data region has {dataLength - covered} bytes after {previous}, which no tensor claims"));
    }
}
