using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>safetensors checkpoints: layout, resuming training exactly, atomic saves, and named load errors.</summary>
[Collection(nameof(CheckpointTests))] // FailAfterBytes is process-wide
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "graphnet-ckpt-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (Tensor X, Tensor Y) Data()
    {
        var x = new Tensor(16, 30);
        new Rng(2, 2).FillNormal(x.Data, 0, 1);
        var y = new Tensor(16);
        for (int i = 0; i < 16; i++) y.Data[i] = x[i, 0] > 0 ? 1 : 0;
        return (x, y);
    }

    [Fact]
    public void File_layout_is_safetensors()
    {
        var m = new LogisticRegression(seed: 1);
        m.Save(P("m.safetensors"));
        var bytes = File.ReadAllBytes(P("m.safetensors"));
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, (8 + n) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var w = header.RootElement.GetProperty("w");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal(new[] { 30 }, w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var off = w.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(120, off[1] - off[0]);
        Assert.Equal(m.Parameters["w"].Value.Data[7], BitConverter.ToSingle(bytes, (int)(8 + n + off[0] + 28)));
        Assert.Equal(8 + n + 124, bytes.Length);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_training_exactly()
    {
        var (x, y) = Data();
        var a = new LogisticRegression(seed: 3);
        var optA = new Adam(0.05f);
        for (int i = 0; i < 3; i++) a.Step(x, y, optA);
        a.Save(P("run.safetensors"), optA);
        for (int i = 0; i < 2; i++) a.Step(x, y, optA);

        var b = new LogisticRegression(seed: 99);
        var optB = new Adam(0.05f);
        b.Load(P("run.safetensors"), optB);
        Assert.Equal(3, optB.Steps);
        for (int i = 0; i < 2; i++) b.Step(x, y, optB);
        Assert.Equal(a.Parameters.Flatten().Data, b.Parameters.Flatten().Data);
    }

    [Fact]
    public void A_crash_during_save_leaves_the_previous_checkpoint_intact()
    {
        var m = new LogisticRegression(seed: 1);
        m.Save(P("keep.safetensors"));
        var before = File.ReadAllBytes(P("keep.safetensors"));
        m.Parameters["w"].Value.Data[0] += 1;
        Checkpoint.FailAfterBytes = 100;
        try { Assert.Throws<IOException>(() => m.Save(P("keep.safetensors"))); }
        finally { Checkpoint.FailAfterBytes = null; }
        Assert.Equal(before, File.ReadAllBytes(P("keep.safetensors")));
        Assert.Single(Directory.GetFiles(_dir)); // the temporary file is gone
    }

    [Fact]
    public void Loading_names_the_missing_extra_or_misshaped_tensor_and_changes_nothing()
    {
        var m = new LogisticRegression(seed: 1);
        var keep = m.Parameters.Flatten().Data;
        Checkpoint.Save(P("missing.safetensors"), new ParameterSet(m.Parameters["w"]));
        var e = Assert.Throws<InvalidDataException>(() => m.Load(P("missing.safetensors")));
        Assert.Contains("no tensor 'b' (expected shape [1])", e.Message);

        var extra = new ParameterSet(m.Parameters["w"], m.Parameters["b"], new Parameter("c", new Tensor(2), new Tensor(2)));
        Checkpoint.Save(P("extra.safetensors"), extra);
        e = Assert.Throws<InvalidDataException>(() => m.Load(P("extra.safetensors")));
        Assert.Contains("tensor 'c' [2] that the model does not have", e.Message);

        var wrong = new ParameterSet(new Parameter("w", new Tensor(29), new Tensor(29)), new Parameter("b", Tensor.Full(5f, 1), new Tensor(1)));
        Checkpoint.Save(P("shape.safetensors"), wrong);
        e = Assert.Throws<InvalidDataException>(() => m.Load(P("shape.safetensors")));
        Assert.Contains("tensor 'w' has shape [29], expected [30]", e.Message);
        Assert.Equal(keep, m.Parameters.Flatten().Data); // b was not overwritten before w failed

        m.Save(P("noopt.safetensors"));
        e = Assert.Throws<InvalidDataException>(() => m.Load(P("noopt.safetensors"), new Adam()));
        Assert.Contains("no tensor 'optimizer/w/adam.m'", e.Message);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("length")]
    [InlineData("json")]
    [InlineData("offsets")]
    public void A_corrupt_file_is_reported_as_such(string how)
    {
        var m = new LogisticRegression(seed: 1);
        m.Save(P("c.safetensors"));
        var bytes = File.ReadAllBytes(P("c.safetensors"));
        long n = BitConverter.ToInt64(bytes, 0);
        switch (how)
        {
            case "short": bytes = bytes[..5]; break;
            case "length": BitConverter.GetBytes((long)bytes.Length).CopyTo(bytes, 0); break;
            case "json": bytes[8] = (byte)'!'; break;
            case "offsets": Array.Resize(ref bytes, bytes.Length - 8); break;
        }
        File.WriteAllBytes(P("c.safetensors"), bytes);
        var e = Assert.Throws<InvalidDataException>(() => m.Load(P("c.safetensors")));
        Assert.Contains("is not a valid safetensors file", e.Message);
        Assert.Contains(P("c.safetensors"), e.Message);
    }
}
