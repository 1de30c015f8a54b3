using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace GraphNet;

/// <summary>A model compiled by the generator: it owns a parameter set.</summary>
public interface IModel
{
    ParameterSet Parameters { get; }

    /// <summary>State that is not trained but belongs to the model (batch norm's running statistics), by name.</summary>
    IReadOnlyList<KeyValuePair<string, Tensor>> Buffers => Array.Empty<KeyValuePair<string, Tensor>>();
}

/// <summary>
/// Checkpoints in the safetensors format (an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data), so PyTorch's <c>safetensors</c>
/// and other tools read them. Parameters are stored under their names, optimizer state under
/// "optimizer/param/slot", the optimizer's step count in the metadata.
/// Saving is atomic: a temporary file in the same folder is written, flushed to disk and renamed over the
/// target, so a crash mid-save leaves the previous checkpoint intact. Loading checks every tensor before
/// it changes anything.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerPrefix = "optimizer/";
    private const string StepsKey = "graphnet.optimizer.steps";

    /// <summary>For tests: when set, the save throws after writing this many bytes (a simulated crash).</summary>
    internal static long? FailAfterBytes;

    public static void Save(this IModel model, string path, Optimizer? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, model.Parameters, optimizer, metadata, model.Buffers);

    public static void Load(this IModel model, string path, Optimizer? optimizer = null) =>
        Load(path, model.Parameters, optimizer, model.Buffers);

    /// <summary>Writes the parameters (and the optimizer's state) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, ParameterSet parameters, Optimizer? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null,
        IReadOnlyList<KeyValuePair<string, Tensor>>? buffers = null)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var p in parameters) tensors.Add(new(p.Name, p.Value));
        if (buffers is not null) tensors.AddRange(buffers);
        var meta = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null) foreach (var kv in metadata) meta[kv.Key] = kv.Value;
        if (optimizer is not null)
        {
            foreach (var kv in optimizer.State(parameters)) tensors.Add(new(OptimizerPrefix + kv.Key, kv.Value));
            meta[StepsKey] = optimizer.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture);
            meta["graphnet.optimizer"] = optimizer.GetType().Name;
        }
        Write(path, tensors, meta);
    }

    /// <summary>
    /// Reads <paramref name="path"/> into the parameters (and the optimizer's state). Every tensor is checked first:
    /// a missing, extra or mis-shaped tensor, or a corrupt file, raises an error naming it, and nothing is changed.
    /// </summary>
    public static void Load(string path, ParameterSet parameters, Optimizer? optimizer = null, IReadOnlyList<KeyValuePair<string, Tensor>>? buffers = null)
    {
        var (tensors, meta) = Read(path);
        var expected = new List<KeyValuePair<string, Tensor>>();
        foreach (var p in parameters) expected.Add(new(p.Name, p.Value));
        if (buffers is not null) expected.AddRange(buffers);
        if (optimizer is not null)
            foreach (var kv in optimizer.State(parameters)) expected.Add(new(OptimizerPrefix + kv.Key, kv.Value));
        foreach (var (name, target) in expected)
        {
            if (!tensors.TryGetValue(name, out var stored))
                throw new InvalidDataException($"Checkpoint '{path}' has no tensor '{name}' (expected shape {Tensor.Format(target.Shape)}).");
            if (!stored.HasShape(target.Shape))
                throw new InvalidDataException($"Checkpoint '{path}': tensor '{name}' has shape {Tensor.Format(stored.Shape)}, expected {Tensor.Format(target.Shape)}.");
        }
        var known = new HashSet<string>(expected.Select(e => e.Key), StringComparer.Ordinal);
        foreach (var name in tensors.Keys)
            if (!known.Contains(name) && !(optimizer is null && name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)))
                throw new InvalidDataException($"Checkpoint '{path}' has tensor '{name}' {Tensor.Format(tensors[name].Shape)} that the model does not have"
                    + (name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) ? " (state of a different optimizer?)." : "."));
        long steps = 0;
        if (optimizer is not null && !(meta.TryGetValue(StepsKey, out var s) && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out steps)))
            throw new InvalidDataException($"Checkpoint '{path}' has no optimizer step count ('{StepsKey}' in its metadata); was it saved with an optimizer?");
        foreach (var (name, target) in expected) tensors[name].Data.CopyTo(target.Data, 0);
        optimizer?.RestoreSteps(steps);
    }

    /// <summary>Every tensor in a safetensors file (F32, F64, F16 and BF16 are read as float) and its metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        string Corrupt(string why) => $"Checkpoint '{path}' is not a valid safetensors file: {why}.";
        if (bytes.Length < 8) throw new InvalidDataException(Corrupt($"it has {bytes.Length} bytes, fewer than the 8-byte header length"));
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException(Corrupt($"the header length {headerLength} exceeds the file's {bytes.Length - 8} remaining bytes"));
        int dataStart = 8 + (int)headerLength;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { throw new InvalidDataException(Corrupt("the header is not valid JSON: " + e.Message), e); }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Corrupt("the header is not a JSON object"));
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException(Corrupt("__metadata__ is not an object"));
                    foreach (var m in entry.Value.EnumerateObject()) meta[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                tensors[entry.Name] = ReadTensor(entry, bytes, dataStart, Corrupt);
            }
        }
        return (tensors, meta);
    }

    private static Tensor ReadTensor(JsonProperty entry, byte[] bytes, int dataStart, Func<string, string> corrupt)
    {
        string name = entry.Name;
        try
        {
            var e = entry.Value;
            string dtype = e.GetProperty("dtype").GetString() ?? "";
            var shape = e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            int size = dtype switch { "F32" => 4, "F64" => 8, "F16" or "BF16" => 2, _ => 0 };
            if (size == 0) throw new InvalidDataException(corrupt($"tensor '{name}' has dtype {dtype}; GraphNet reads F32, F64, F16 and BF16"));
            if (shape.Any(d => d < 0) || offsets.Length != 2) throw new InvalidDataException(corrupt($"tensor '{name}' has a bad shape or data_offsets"));
            long count = shape.Aggregate(1L, (a, d) => a * d);
            long begin = dataStart + offsets[0], end = dataStart + offsets[1];
            if (offsets[0] < 0 || end > bytes.Length || end - begin != count * size)
                throw new InvalidDataException(corrupt($"tensor '{name}' {Tensor.Format(shape)} {dtype} claims bytes [{offsets[0]}, {offsets[1]}), which do not hold {count} values inside the file"));
            var t = new Tensor(shape);
            var src = bytes.AsSpan((int)begin, (int)(end - begin));
            for (int i = 0; i < t.Length; i++)
                t.Data[i] = dtype switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]),
                    "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]),
                    "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16),
                };
            return t;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(corrupt($"tensor '{name}' has a malformed entry ({ex.Message})"), ex);
        }
    }

    private static void Write(string path, List<KeyValuePair<string, Tensor>> tensors, SortedDictionary<string, string> meta)
    {
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var kv in meta) json.WriteString(kv.Key, kv.Value);
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
                json.WriteNumberValue(offset + 4L * t.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += 4L * t.Length;
            }
            json.WriteEndObject();
        }
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var sink = FailAfterBytes is { } limit ? new FailingStream(file, limit) : (Stream)file;
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
                sink.Write(len);
                header.Position = 0;
                header.CopyTo(sink);
                Span<byte> one = stackalloc byte[4];
                foreach (var (_, t) in tensors)
                {
                    if (BitConverter.IsLittleEndian) sink.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
                    else foreach (var v in t.Data) { BinaryPrimitives.WriteSingleLittleEndian(one, v); sink.Write(one); }
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>A stream that fails after a byte budget, to test that a crash mid-save loses nothing.</summary>
    private sealed class FailingStream(Stream inner, long budget) : Stream
    {
        private long _left = budget;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > _left)
            {
                inner.Write(buffer[..(int)_left]);
                _left = 0;
                throw new IOException("Simulated crash during checkpoint save.");
            }
            _left -= buffer.Length;
            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
