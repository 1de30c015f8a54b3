using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace GraphNet.Models.Tests;

/// <summary>
/// The safetensors file itself: every malformed header is rejected by name before anything changes, files past
/// 2 GiB load, data moves in chunks, and temporary files of killed saves are cleaned up.
/// </summary>
[Collection(nameof(CheckpointTests))] // SafeTensors.ChunkBytes is process-wide
public sealed class CheckpointFileTests : IDisposable
{
    // LogisticRegression's tensors, w [30] then b [1], laid out as Save lays them out.
    private const string W = "\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[0,120]}";
    private const string B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[120,124]}";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "graphnet-ckptfile-" + Guid.NewGuid().ToString("N"));

    public CheckpointFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    /// <summary>Writes a safetensors file by hand: the 8-byte length, <paramref name="header"/> padded with spaces, and <paramref name="dataLength"/> data bytes.</summary>
    private string Handmade(byte[] header, long dataLength, string name = "h.safetensors")
    {
        var padded = new byte[(header.Length + 7) / 8 * 8];
        padded.AsSpan().Fill((byte)' ');
        header.CopyTo(padded, 0);
        using var file = new FileStream(P(name), FileMode.Create);
        file.Write(BitConverter.GetBytes((long)padded.Length));
        file.Write(padded);
        file.SetLength(file.Length + dataLength); // sparse where the file system allows: the data region reads as zeros
        return P(name);
    }

    private string Handmade(string header, long dataLength, string name = "h.safetensors") => Handmade(Encoding.UTF8.GetBytes(header), dataLength, name);

    private static void AssertRejected(LogisticRegression model, string path, string why)
    {
        var before = model.Parameters.Flatten().Data;
        var e = Assert.Throws<InvalidDataException>(() => model.Load(path));
        Assert.Contains($"Checkpoint '{path}' is not a valid safetensors file", e.Message);
        Assert.Contains(why, e.Message);
        Assert.Equal(before, model.Parameters.Flatten().Data);
    }

    [Theory]
    [InlineData("{" + W + "," + B + "," + W + "}", 124, "tensor 'w' appears twice in the header")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-30],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has dimension -30 in its shape; dimensions are integers in [0, 2147483647]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30.5],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has dimension 30.5 in its shape")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"30\"],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has dimension \"30\" in its shape")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3000000000],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has dimension 3000000000 in its shape")]
    [InlineData("{\"w\":{\"dtype\":\"C64\",\"shape\":[30],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has dtype C64; GraphNet reads F32, F64, F16, BF16 and the integer and BOOL dtypes (as float)")]
    [InlineData("{\"w\":{\"shape\":[30],\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has no 'dtype'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has no 'shape'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30]}," + B + "}", 124, "tensor 'w' has no 'data_offsets'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":30,\"data_offsets\":[0,120]}," + B + "}", 124, "tensor 'w' has 'shape' 30, which is not a JSON array")]
    [InlineData("{\"w\":3," + B + "}", 124, "tensor 'w' is 3, not an object")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[0,60,120]}," + B + "}", 124, "tensor 'w' has data_offsets [0,60,120]; they are two integers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[-4,116]}," + B + "}", 124, "tensor 'w' has data_offsets [-4,116]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[0,18446744073709551615]}," + B + "}", 124, "tensor 'w' has data_offsets")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[120,0]}," + B + "}", 124, "tensor 'w' [30] F32 claims bytes [120, 0), which do not hold its 30 values of 4 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[0,116]}," + B + "}", 124, "tensor 'w' [30] F32 claims bytes [0, 116)")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[9223372036854775687,9223372036854775807]}," + B + "}", 124,
        "tensor 'w' claims bytes [9223372036854775687, 9223372036854775807), beyond the data region's 124 bytes")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,120]}," + B + "}", 124,
        "tensor 'w' [2147483647, 2147483647, 2147483647] has more values than a 64-bit count holds")]
    [InlineData("{\"w\":{\"dtype\":\"F16\",\"shape\":[2,1500000000],\"data_offsets\":[0,6000000000]}," + B + "}", 124,
        "tensor 'w' [2, 1500000000] has 3000000000 values, more than a float array holds")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[0,120]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 124,
        "tensor 'w' claims bytes [0, 120), which overlap tensor 'b' (up to byte 4)")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[4,124]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 128,
        "the data region has 4 bytes after tensor 'w', which no tensor claims")]
    [InlineData("{" + W + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[124,128]}}", 128,
        "tensor 'b' claims bytes [124, 128), which leaves the bytes [120, 124) after tensor 'w' unused")]
    [InlineData("{" + W + "," + B + "}", 125, "the data region has 1 bytes after tensor 'b'")]
    [InlineData("{" + W + "," + B + "}", 123, "tensor 'b' claims bytes [120, 124), beyond the data region's 123 bytes")]
    [InlineData("[{" + W + "}]", 124, "the header is not a JSON object")]
    [InlineData("{\"__metadata__\":[]," + W + "," + B + "}", 124, "__metadata__ is not an object")]
    [InlineData("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}," + W + "," + B + "}", 124, "metadata key 'a' appears twice")]
    [InlineData("{\"__metadata__\":{},\"__metadata__\":{}," + W + "," + B + "}", 124, "__metadata__ appears twice")]
    [InlineData("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}," + W + "," + B + "}", 124, "the header is not valid UTF-8 JSON")]
    public void A_malformed_header_is_rejected_by_name_and_changes_nothing(string header, long dataLength, string why) =>
        AssertRejected(new LogisticRegression(seed: 1), Handmade(header, dataLength), why);

    [Fact]
    public void A_name_that_is_not_UTF8_is_rejected()
    {
        var header = Encoding.UTF8.GetBytes("{\"w?\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}," + W + "," + B + "}");
        header[3] = 0xFF;
        AssertRejected(new LogisticRegression(seed: 1), Handmade(header, 124), "the header is not valid UTF-8 JSON");
    }

    [Fact]
    public void A_header_over_100_MB_is_rejected_before_it_is_read()
    {
        var path = P("huge.safetensors");
        using (var file = new FileStream(path, FileMode.Create))
        {
            file.Write(BitConverter.GetBytes(SafeTensors.MaxHeaderBytes + 8));
            file.SetLength(SafeTensors.MaxHeaderBytes + 64);
        }
        AssertRejected(new LogisticRegression(seed: 1), path, "the header length 100000008 exceeds the limit of 100000000 bytes");
    }

    [Fact]
    public void Tensors_past_the_2_GiB_mark_load()
    {
        // A 2.4 GB optimizer tensor that a load without an optimizer skips, then w and b at offsets past 2^31.
        // The file is sparse: only its header and the last 124 bytes take space on disk.
        const long big = 600_000_000L * 4;
        var path = Handmade(
            "{\"optimizer/w/adam.m\":{\"dtype\":\"F32\",\"shape\":[600000000],\"data_offsets\":[0," + big + "]},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[30],\"data_offsets\":[" + big + "," + (big + 120) + "]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + (big + 120) + "," + (big + 124) + "]}}", big + 124, "big.safetensors");
        var source = new LogisticRegression(seed: 2);
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.Seek(-124, SeekOrigin.End);
            foreach (var v in source.Parameters.Flatten().Data) file.Write(BitConverter.GetBytes(v));
        }
        var m = new LogisticRegression(seed: 3);
        m.Load(path);
        Assert.Equal(source.Parameters.Flatten().Data, m.Parameters.Flatten().Data);
    }

    [Fact]
    public void Tensors_larger_than_a_chunk_save_and_load_chunk_by_chunk()
    {
        var (x, y) = (new Tensor(4, 30), Tensor.FromArray(new float[] { 1, 0, 1, 0 }, 4));
        new Rng(5, 5).FillNormal(x.Data, 0, 1);
        var a = new LogisticRegression(seed: 4);
        var optA = new Adam(0.1f);
        a.Step(x, y, optA);
        var b = new LogisticRegression(seed: 5);
        var optB = new Adam(0.1f);
        SafeTensors.ChunkBytes = 16; // 4 floats, 2 doubles, 8 halves: no tensor below is a whole number of chunks
        try
        {
            a.Save(P("m.safetensors"), optA);
            b.Load(P("m.safetensors"), optB);

            var doubles = new double[] { -1.5, 0.25, 3, 1e-3, -7, 0.5, 2 };
            var halves = new Half[13];
            for (int i = 0; i < halves.Length; i++) halves[i] = (Half)(0.25f * i - 1);
            var bfloats = new float[] { 1.5f, -2, 0.375f, 96, -0.0078125f };
            var data = new MemoryStream();
            foreach (var v in doubles) data.Write(BitConverter.GetBytes(v));
            foreach (var v in halves) data.Write(BitConverter.GetBytes(v));
            foreach (var v in bfloats) data.Write(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits(v) >> 16)));
            var path = Handmade("{\"d\":{\"dtype\":\"F64\",\"shape\":[7],\"data_offsets\":[0,56]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[13],\"data_offsets\":[56,82]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[82,92]}}", 0);
            using (var file = new FileStream(path, FileMode.Append)) data.WriteTo(file);
            var (tensors, _) = Checkpoint.Read(path);
            Assert.Equal(Array.ConvertAll(doubles, v => (float)v), tensors["d"].Data);
            Assert.Equal(Array.ConvertAll(halves, v => (float)v), tensors["h"].Data);
            Assert.Equal(bfloats, tensors["bf"].Data);
        }
        finally { SafeTensors.ChunkBytes = 1 << 20; }
        Assert.Equal(a.Parameters.Flatten().Data, b.Parameters.Flatten().Data);
        var stateB = optB.State(b.Parameters).ToDictionary(kv => kv.Key, kv => kv.Value.Data);
        foreach (var (name, state) in optA.State(a.Parameters)) Assert.Equal(state.Data, stateB[name]);
        Assert.Equal(optA.Steps, optB.Steps);
    }

    [Fact]
    public void A_save_deletes_the_temporary_files_that_killed_saves_of_the_same_target_left()
    {
        string Temp(string target) => P($"{target}.{Guid.NewGuid():N}.graphnet-tmp");
        string[] orphans = { Temp("m.safetensors"), Temp("m.safetensors") };
        string[] others = { Temp("other.safetensors"), P("m.safetensors.notes.graphnet-tmp"), Temp("m.safetensors.old") };
        foreach (var f in orphans) File.WriteAllText(f, "half a checkpoint");
        foreach (var f in others) File.WriteAllText(f, "not ours");

        var m = new LogisticRegression(seed: 6);
        m.Save(P("m.safetensors"));
        foreach (var f in orphans) Assert.False(File.Exists(f), f);
        foreach (var f in others) Assert.True(File.Exists(f), f);
        var loaded = new LogisticRegression(seed: 7);
        loaded.Load(P("m.safetensors"));
        Assert.Equal(m.Parameters.Flatten().Data, loaded.Parameters.Flatten().Data);
    }
}
