using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GraphNet.Distributed;

/// <summary>
/// Many arrays laid end to end in a few pinned buckets of at most <c>capacity</c> floats (an array larger than that
/// spans several), so that a collective moves a few large messages instead of one per tensor, and a bucket can be on
/// the wire while the next one is packed. Each array belongs to a group whose scale <see cref="Pack"/> and
/// <see cref="Unpack"/> apply on the way in and out (gradients weighted by the shard's size, then divided by the total).
/// An array with a base copy travels as its difference from the base and comes back as base + result, which becomes the
/// new base: an array that no rank changed comes back bit for bit (averaging equal floats would round).
/// </summary>
internal sealed unsafe class Buckets
{
    private readonly record struct Piece(int Bucket, int At, float[] Data, float[]? Base, int From, int Length, int Group);

    private readonly float[][] _buckets;
    private readonly Piece[] _pieces;
    private readonly int[] _first; // the first piece of each bucket, and the piece count at the end

    public Buckets(IReadOnlyList<(float[] Data, int Group, float[]? Base)> arrays, int capacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A bucket holds at least one float.");
        var pieces = new List<Piece>();
        var sizes = new List<int>();
        int bucket = 0, used = 0;
        foreach (var (data, group, copy) in arrays)
            for (int from = 0; from < data.Length;)
            {
                if (used == capacity) { sizes.Add(used); bucket++; used = 0; }
                int length = Math.Min(data.Length - from, capacity - used);
                pieces.Add(new Piece(bucket, used, data, copy, from, length, group));
                (from, used) = (from + length, used + length);
            }
        if (used > 0) sizes.Add(used);
        _pieces = pieces.ToArray();
        _buckets = sizes.ConvertAll(n => GC.AllocateArray<float>(n, pinned: true)).ToArray();
        _first = new int[_buckets.Length + 1];
        for (int p = 0, b = 0; b <= _buckets.Length; b++)
        {
            while (p < _pieces.Length && _pieces[p].Bucket < b) p++;
            _first[b] = p;
        }
    }

    /// <summary>Number of buckets.</summary>
    public int Count => _buckets.Length;

    /// <summary>The last float of the last bucket (the weight cell a data-parallel step puts there).</summary>
    public float Last => _buckets[^1][^1];

    /// <summary>Floats in bucket <paramref name="b"/>.</summary>
    public int Length(int b) => _buckets[b].Length;

    /// <summary>Where bucket <paramref name="b"/> lives (pinned: it never moves).</summary>
    public float* Address(int b) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buckets[b]));

    /// <summary>Copies the arrays of bucket <paramref name="b"/> in (less their base), each multiplied by its group's scale.</summary>
    public void Pack(int b, ReadOnlySpan<float> scale)
    {
        for (int p = _first[b]; p < _first[b + 1]; p++)
        {
            var (_, at, data, copy, from, length, group) = _pieces[p];
            var to = _buckets[b].AsSpan(at, length);
            if (copy is null) Scale(data.AsSpan(from, length), to, scale[group]);
            else Difference(data.AsSpan(from, length), copy.AsSpan(from, length), to, scale[group]);
        }
    }

    /// <summary>Copies bucket <paramref name="b"/> out to its arrays, each multiplied by its group's scale (and added to its base, which takes the result too).</summary>
    public void Unpack(int b, ReadOnlySpan<float> scale)
    {
        for (int p = _first[b]; p < _first[b + 1]; p++)
        {
            var (_, at, data, copy, from, length, group) = _pieces[p];
            var result = data.AsSpan(from, length);
            Scale(_buckets[b].AsSpan(at, length), result, scale[group]);
            if (copy is null) continue;
            var origin = copy.AsSpan(from, length);
            for (int i = 0; i < length; i++) result[i] += origin[i];
            result.CopyTo(origin);
        }
    }

    private static void Scale(ReadOnlySpan<float> from, Span<float> to, float scale)
    {
        if (scale == 1f) { from.CopyTo(to); return; }
        var s = new Vector<float>(scale);
        var vf = MemoryMarshal.Cast<float, Vector<float>>(from);
        var vt = MemoryMarshal.Cast<float, Vector<float>>(to);
        for (int i = 0; i < vf.Length; i++) vt[i] = vf[i] * s;
        for (int i = vf.Length * Vector<float>.Count; i < from.Length; i++) to[i] = from[i] * scale;
    }

    private static void Difference(ReadOnlySpan<float> from, ReadOnlySpan<float> origin, Span<float> to, float scale)
    {
        for (int i = 0; i < from.Length; i++) to[i] = (from[i] - origin[i]) * scale;
    }
}
