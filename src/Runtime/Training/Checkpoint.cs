using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GraphNet;

/// <summary>A model compiled by the generator: it owns a parameter set.</summary>
public interface IModel
{
    /// <summary>The model's trainable parameters, in declaration order.</summary>
    ParameterSet Parameters { get; }

    /// <summary>State that is not trained but belongs to the model (batch norm's running statistics), by name.</summary>
    IReadOnlyList<KeyValuePair<string, Tensor>> Buffers => Array.Empty<KeyValuePair<string, Tensor>>();

    /// <summary>
    /// How many calls of its entry points have drawn random numbers (dropout, Normal, Categorical, ...): the position
    /// of the model's counter-based stream, saved in checkpoints so a resumed run draws what it would have drawn.
    /// </summary>
    ulong RandomDraws { get => 0; set { } }

    /// <summary>
    /// The inference graph of each <c>[Compile]</c> entry point by name, as <c>GraphCodec</c> text (parameters and buffers under
    /// their hierarchical names): what <see cref="OnnxExport.ExportOnnx"/> writes. Generated.
    /// </summary>
    IReadOnlyList<KeyValuePair<string, string>> EntryGraphs => Array.Empty<KeyValuePair<string, string>>();
}

/// <summary>
/// Checkpoints in the safetensors format (an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data), so PyTorch's <c>safetensors</c>
/// and other tools read them. Parameters are stored under their names, optimizer state under
/// "optimizer/param/slot", the optimizer's step count in the metadata.
/// Saving is atomic: a temporary file in the same folder (<c>name.(random).graphnet-tmp</c>) is written, flushed
/// to disk and renamed over the target, so a crash mid-save leaves the previous checkpoint intact, and the next
/// save of the same target deletes the temporary file that the crash left. Two saves of the same path at once
/// (from two threads or processes) are not supported: each may delete the other's temporary file. Loading checks
/// every tensor before it changes anything. Files and tensors may be larger than 2 GiB.
/// </summary>
public static class Checkpoint
{
    private const string OptimizerPrefix = "optimizer/";
    private const string StepsKey = "graphnet.optimizer.steps";
    private const string TemporarySuffix = ".graphnet-tmp";

    /// <summary>For tests: when set, the save throws after writing this many bytes (a simulated crash).</summary>
    internal static long? FailAfterBytes;

    private const string DrawsKey = "graphnet.random.draws";

    /// <summary>
    /// Saves the model's parameters, buffers and random-stream position (and the optimizer's state and step count) to
    /// <paramref name="path"/> atomically; <paramref name="metadata"/> is stored in the file's header beside them.
    /// </summary>
    public static void Save(this IModel model, string path, Optimizer? optimizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        meta[DrawsKey] = model.RandomDraws.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Save(path, model.Parameters, optimizer, meta, model.Buffers);
    }

    /// <summary>Reads a checkpoint into the model (and optimizer); the model's random stream resumes where the saved run was.</summary>
    public static void Load(this IModel model, string path, Optimizer? optimizer = null)
    {
        Load(path, model.Parameters, optimizer, model.Buffers);
        using var file = OpenRead(path);
        if (SafeTensors.ReadHeader(file, path).Metadata.TryGetValue(DrawsKey, out var d))
            model.RandomDraws = ulong.TryParse(d, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var draws) ? draws
                : throw new InvalidDataException($"Checkpoint '{path}': '{DrawsKey}' in its metadata is '{d}', not a count of draws.");
    }

    /// <summary>
    /// Loads a PyTorch <c>state_dict</c> saved as safetensors (<c>safetensors.torch.save_file(module.state_dict(), path)</c>)
    /// into the model: tensors are matched by name (the equivalent <c>nn.Module</c>'s names, which the layer library and
    /// module fields produce: <c>conv.weight</c>, <c>bn.running_mean</c>, <c>lstm.weight_ih_l0</c>) and converted to float.
    /// Every parameter and buffer must be present with its shape; PyTorch's <c>num_batches_tracked</c> counters are
    /// ignored; with <paramref name="strict"/> (default) a tensor the model does not have is an error too. Errors name
    /// the tensor and nothing is changed; tensors named in <paramref name="ignore"/> are skipped (inputs stored beside
    /// the weights).
    /// </summary>
    public static void LoadPyTorch(this IModel model, string path, bool strict = true, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var file = OpenRead(path);
        var header = SafeTensors.ReadHeader(file, path);
        var expected = model.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)).Concat(model.Buffers).ToList();
        ReadInto(file, header, expected, $"PyTorch state dict '{path}'", name =>
            !strict || name.EndsWith("num_batches_tracked", StringComparison.Ordinal) || (ignore?.Invoke(name) ?? false) ? null : " (pass strict: false to skip it).");
    }

    /// <summary>
    /// Checks that the file holds every expected tensor with its shape, and no other tensor unless
    /// <paramref name="unexpected"/> returns null for it (else the end of the error); then reads all values and only
    /// then copies them in, so an error changes nothing. Errors begin with <paramref name="source"/>; <paramref name="checkMore"/>
    /// runs after the tensors are checked and before any is read.
    /// </summary>
    private static void ReadInto(FileStream file, SafeTensors.Header header, List<KeyValuePair<string, Tensor>> expected, string source,
        Func<string, string?> unexpected, Action? checkMore = null)
    {
        foreach (var (name, target) in expected)
        {
            if (!header.Tensors.TryGetValue(name, out var stored))
                throw new InvalidDataException($"{source} has no tensor '{name}' (expected shape {Tensor.Format(target.Shape)}).");
            if (!target.HasShape(stored.Shape))
                throw new InvalidDataException($"{source}: tensor '{name}' has shape {Tensor.Format(stored.Shape)}, expected {Tensor.Format(target.Shape)}.");
        }
        var known = new HashSet<string>(expected.Select(e => e.Key), StringComparer.Ordinal);
        foreach (var (name, stored) in header.Tensors)
            if (!known.Contains(name) && unexpected(name) is { } why)
                throw new InvalidDataException($"{source} has tensor '{name}' {Tensor.Format(stored.Shape)} that the model does not have{why}");
        checkMore?.Invoke();
        var values = expected.Select(e => SafeTensors.ReadTensor(file, header, header.Tensors[e.Key])).ToList();
        for (int i = 0; i < expected.Count; i++) values[i].Data.CopyTo(expected[i].Value.Data, 0);
    }

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
    /// Reads <paramref name="path"/> into the parameters (and the optimizer's state). The header and every tensor are
    /// checked first, and all values read: a missing, extra or mis-shaped tensor, or a corrupt file, raises an error
    /// naming it, and nothing is changed. Without an optimizer, optimizer state in the file is skipped unread.
    /// </summary>
    public static void Load(string path, ParameterSet parameters, Optimizer? optimizer = null, IReadOnlyList<KeyValuePair<string, Tensor>>? buffers = null)
    {
        using var file = OpenRead(path);
        var header = SafeTensors.ReadHeader(file, path);
        var expected = new List<KeyValuePair<string, Tensor>>();
        foreach (var p in parameters) expected.Add(new(p.Name, p.Value));
        if (buffers is not null) expected.AddRange(buffers);
        if (optimizer is not null)
            foreach (var kv in optimizer.State(parameters)) expected.Add(new(OptimizerPrefix + kv.Key, kv.Value));
        long steps = 0;
        ReadInto(file, header, expected, $"Checkpoint '{path}'", name =>
            !name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) ? "." : optimizer is null ? null : " (state of a different optimizer?).", () =>
        {
            if (optimizer is not null && !(header.Metadata.TryGetValue(StepsKey, out var s) && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out steps)))
                throw new InvalidDataException($"Checkpoint '{path}' has no optimizer step count ('{StepsKey}' in its metadata); was it saved with an optimizer?");
        });
        optimizer?.RestoreSteps(steps);
    }

    /// <summary>Every tensor in a safetensors file (every dtype read as float) and its metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        using var file = OpenRead(path);
        var header = SafeTensors.ReadHeader(file, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, entry) in header.Tensors) tensors[name] = SafeTensors.ReadTensor(file, header, entry);
        return (tensors, header.Metadata);
    }

    private static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    internal static void Write(string path, List<KeyValuePair<string, Tensor>> tensors, SortedDictionary<string, string> meta)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        var name = Path.GetFileName(full);
        Directory.CreateDirectory(dir);
        DeleteLeftoverTemporaries(dir, name);
        var temp = Path.Combine(dir, $"{name}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                SafeTensors.Write(FailAfterBytes is { } limit ? new FailingStream(file, limit) : file, tensors, meta);
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

    /// <summary>Deletes the temporary files that earlier saves of <paramref name="name"/> left behind when they were killed.</summary>
    private static void DeleteLeftoverTemporaries(string dir, string name)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*" + TemporarySuffix))
            if (IsTemporaryOf(Path.GetFileName(file), name))
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Whether <paramref name="file"/> is named like a save's temporary file for <paramref name="name"/>: name.(32 hex digits).graphnet-tmp.</summary>
    internal static bool IsTemporaryOf(string file, string name) =>
        file.Length == name.Length + 1 + 32 + TemporarySuffix.Length
        && file.StartsWith(name + ".", StringComparison.Ordinal)
        && file.EndsWith(TemporarySuffix, StringComparison.Ordinal)
        && Guid.TryParseExact(file.AsSpan(name.Length + 1, 32), "N", out _);

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
