using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;
using GraphNet.Data;
using Xunit;

namespace GraphNet.Tests;

/// <summary>Loaders on the shipped files and on broken ones; splits, folds, batches and standardization.</summary>
public class DataTests
{
    private static Dataset Numbered(int n, int width = 3)
    {
        var x = new Tensor(n, width);
        for (int i = 0; i < x.Length; i++) x.Data[i] = i / width;
        var y = new Tensor(n);
        for (int i = 0; i < n; i++) y.Data[i] = i;
        return new Dataset(x, y);
    }

    [Fact]
    public void Csv_reads_the_diabetes_table_with_its_target_column()
    {
        var t = Csv.Read(DataFiles.Find("tabular/diabetes.csv"));
        Assert.Equal(new[] { 442, 10 }, t.Data.Features.Shape);
        Assert.Equal("progression", t.TargetName);
        Assert.Equal("age", t.FeatureNames[0]);
        Assert.Equal(59f, t.Data.Features[0, 0]);
        Assert.Equal(151f, t.Data.Targets[0]);
        var bySex = Csv.Read(DataFiles.Find("tabular/diabetes.csv"), target: "sex");
        Assert.Equal("progression", bySex.FeatureNames[^1]);
        Assert.Equal(2f, bySex.Data.Targets[0]);
    }

    [Fact]
    public void Csv_errors_name_the_file_line_and_column()
    {
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader("a,b,y\n1,2,3\n4,x7,6\n"), "bad.csv"));
        Assert.Contains("'bad.csv', line 3, column 'b' (2): 'x7' is not a number", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader("a,b,y\n1,2\n"), "ragged.csv"));
        Assert.Contains("line 2: 2 cells, but the header has 3 columns", e.Message);
        var m = Assert.Throws<ArgumentException>(() => Csv.Read(new StringReader("a,b,y\n1,2,3\n"), "t.csv", target: "z"));
        Assert.Contains("no column 'z'", m.Message);
        Assert.Throws<InvalidDataException>(() => Csv.Read(new StringReader(""), "empty.csv"));
        var q = Csv.Read(new StringReader("\"a,1\",y\n\"2.5\",1\n"), "quoted.csv");
        Assert.Equal("a,1", q.FeatureNames[0]);
        Assert.Equal(2.5f, q.Data.Features[0, 0]);
    }

    [Fact]
    public void Idx_errors_name_the_file_and_the_wrong_magic()
    {
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-{Guid.NewGuid():N}-labels.gz");
        try
        {
            using (var f = File.Create(path))
            using (var gz = new GZipStream(f, CompressionLevel.Fastest))
                gz.Write(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 5 });
            var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("0x00000803", e.Message);
        }
        finally { File.Delete(path); }
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => Idx.ReadImages("/nonexistent/x.idx")).Message);
    }

    /// <summary>Writes an IDX file of big-endian 32-bit <paramref name="fields"/> (magic first) and <paramref name="extra"/> bytes, runs <paramref name="read"/> on it and returns its error.</summary>
    private static InvalidDataException IdxError(Func<string, Tensor> read, int[] fields, int extra = 0)
    {
        var path = Path.Combine(Path.GetTempPath(), $"graphnet-{Guid.NewGuid():N}.idx");
        try
        {
            var bytes = new byte[4 * fields.Length + extra];
            for (int i = 0; i < fields.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 * i), fields[i]);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => read(path));
            Assert.Contains($"IDX file '{path}'", e.Message);
            return e;
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Idx_images_header_cut_short_says_16_bytes_were_expected()
    {
        var e = IdxError(Idx.ReadImages, new[] { 0x803, 1, 28 });
        Assert.Contains("too short for images (idx3-ubyte): expected a 16-byte header (magic, count, rows, cols), found 12 bytes", e.Message);
        e = IdxError(Idx.ReadLabels, new[] { 0x801 }, extra: 2);
        Assert.Contains("too short for labels (idx1-ubyte): expected an 8-byte header (magic, count), found 6 bytes", e.Message);
    }

    [Theory]
    [InlineData(-1, 28, 28, "the image count (header bytes 4 to 7) is -1; the valid range is [0, 2147483591]")]
    [InlineData(1, -28, 28, "rows (header bytes 8 to 11) is -28; the valid range is [0, 2147483647]")]
    [InlineData(1, 28, int.MinValue, "cols (header bytes 12 to 15) is -2147483648; the valid range is [0, 2147483647]")]
    [InlineData(1, 65536, 65536, "rows x cols = 65536 x 65536 = 4294967296 pixels per image; the valid range is [0, 2147483591]")]
    [InlineData(int.MaxValue - 56, int.MaxValue, int.MaxValue, "rows x cols = 2147483647 x 2147483647 = 4611686014132420609 pixels per image")]
    [InlineData(65536, 256, 256, "count x rows x cols = 65536 x 256 x 256 = 4294967296 pixels; the valid range is [0, 2147483591]")]
    [InlineData(2147483591, 46340, 46340, "count x rows x cols = 2147483591 x 46340 x 46340 = 4611496814385599600 pixels")]
    public void Idx_image_header_fields_out_of_range_are_named_with_their_valid_range(int count, int rows, int cols, string why) =>
        Assert.Contains(why, IdxError(Idx.ReadImages, new[] { 0x803, count, rows, cols }).Message);

    [Fact]
    public void Idx_negative_label_count_is_named_with_its_valid_range() =>
        Assert.Contains("the label count (header bytes 4 to 7) is -3; the valid range is [0, 2147483591]", IdxError(Idx.ReadLabels, new[] { 0x801, -3 }).Message);

    [Fact]
    public void Split_is_seeded_disjoint_and_complete()
    {
        var d = Numbered(100);
        var (train, test) = d.Split(0.2, seed: 3);
        Assert.Equal(80, train.Count);
        Assert.Equal(20, test.Count);
        var all = train.Targets.Data.Concat(test.Targets.Data).OrderBy(v => v).ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), all);
        Assert.Equal(test.Targets.Data, d.Split(0.2, seed: 3).Test.Targets.Data);
        Assert.NotEqual(test.Targets.Data, d.Split(0.2, seed: 4).Test.Targets.Data);
        for (int i = 0; i < train.Count; i++) Assert.Equal(train.Targets[i], train.Features[i, 2]);
    }

    [Fact]
    public void KFold_validation_folds_partition_the_data()
    {
        var d = Numbered(23);
        var folds = d.KFold(5, seed: 1).ToList();
        Assert.Equal(5, folds.Count);
        var seen = folds.SelectMany(f => f.Validation.Targets.Data).OrderBy(v => v).ToArray();
        Assert.Equal(Enumerable.Range(0, 23).Select(i => (float)i), seen);
        foreach (var (train, val) in folds)
        {
            Assert.InRange(val.Count, 4, 5);
            Assert.Equal(23, train.Count + val.Count);
            Assert.Empty(train.Targets.Data.Intersect(val.Targets.Data));
        }
    }

    [Fact]
    public void Batches_reshuffle_per_epoch_and_keep_the_last_partial_batch()
    {
        var d = Numbered(10);
        var sizes = d.Batches(4, seed: 1, epoch: 0).Select(b => b.Count).ToArray();
        Assert.Equal(new[] { 4, 4, 2 }, sizes);
        Assert.Equal(new[] { 4, 4 }, d.Batches(4, dropLast: true).Select(b => b.Count).ToArray());
        float[] Order(int epoch) => d.Batches(4, seed: 1, epoch: epoch).SelectMany(b => b.Targets.ToArray()).ToArray();
        Assert.Equal(Order(0), Order(0));
        Assert.NotEqual(Order(0), Order(1));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), Order(1).OrderBy(v => v));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), d.Batches(3, shuffle: false).SelectMany(b => b.Targets.ToArray()));
        foreach (var (x, y) in d.Batches(4, seed: 2))
            for (int i = 0; i < y.Length; i++) Assert.Equal(y[i], x[i, 0]);
    }

    [Fact]
    public void Batches_shard_each_global_batch_over_ranks()
    {
        var d = Numbered(23);
        for (int ranks = 1; ranks <= 4; ranks++)
        {
            var shards = Enumerable.Range(0, ranks).Select(r => d.Batches(8, seed: 3, epoch: 2, rank: r, ranks: ranks).Select(b => b.Targets.ToArray()).ToList()).ToList();
            Assert.All(shards, s => Assert.Equal(3, s.Count)); // 8, 8, 7 split over the ranks
            var whole = d.Batches(8, seed: 3, epoch: 2).Select(b => b.Targets.ToArray()).ToList();
            for (int b = 0; b < 3; b++)
            {
                Assert.Equal(whole[b], shards.SelectMany(s => s[b])); // contiguous shards of the same global batch, in rank order
                Assert.InRange(shards.Max(s => s[b].Length) - shards.Min(s => s[b].Length), 0, 1);
            }
        }
        // 21 = 2·10 + 1: the last global batch holds fewer examples than 2 ranks, so no rank gets it
        Assert.Equal(new[] { 5, 5 }, d.Subset(Enumerable.Range(0, 21).ToArray()).Batches(10, rank: 1, ranks: 2).Select(b => b.Count));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Batches(8, rank: 2, ranks: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Batches(1, rank: 0, ranks: 2));
    }

    [Fact]
    public void Standardizer_uses_the_training_statistics()
    {
        var t = Csv.Read(DataFiles.Find("tabular/diabetes.csv")).Data;
        var s = Standardizer.Fit(t.Features);
        var z = s.Transform(t.Features);
        for (int j = 0; j < 10; j++)
        {
            var col = Enumerable.Range(0, 442).Select(i => (double)z[i, j]).ToArray();
            Assert.Equal(0, col.Average(), 4);
            Assert.Equal(1, Math.Sqrt(col.Select(v => v * v).Average()), 4);
        }
        var constant = Standardizer.Fit(Tensor.Full(5f, 4, 2)).Transform(Tensor.Full(5f, 1, 2));
        Assert.All(constant.Data, v => Assert.Equal(0f, v));
        Assert.Contains("[N, 10]", Assert.Throws<ArgumentException>(() => s.Transform(new Tensor(3, 4))).Message);
    }

    [Fact]
    public void Vocabularies_round_trip_characters_and_words()
    {
        const string text = "The cat saw the dog. The dog ran!";
        var chars = Vocabulary.Characters(text);
        Assert.Equal(text, chars.Decode(chars.Encode(text).Data));
        Assert.Contains("not in this character vocabulary", Assert.Throws<ArgumentException>(() => chars.Encode("xyz")).Message);
        var words = Vocabulary.Words(text, maxSize: 4);
        Assert.Equal(new[] { Vocabulary.Unknown, "the", "dog", "cat" }, Enumerable.Range(0, words.Count).Select(i => words[i]));
        Assert.Equal("the cat <unk> the dog <unk>", words.Decode(words.Encode("The cat saw the dog.").Data));
    }
}
