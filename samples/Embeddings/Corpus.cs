using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GraphNet;
using GraphNet.Data;

namespace Samples.Embeddings;

/// <summary>
/// fortunes.txt as words: lower-cased runs of letters and apostrophes, the <see cref="Vocabulary"/> most frequent
/// kept (every other word dropped, as word2vec drops rare words), and what the two models train on: skip-gram
/// (center, context) pairs and GloVe's co-occurrence counts.
/// </summary>
public sealed class Corpus
{
    public const int Vocabulary = 1000;

    /// <summary>The kept words by falling frequency; a word's id is its index.</summary>
    public string[] Words { get; }

    /// <summary>How often each kept word occurs.</summary>
    public float[] Counts { get; }

    /// <summary>The text as word ids, the dropped words left out.</summary>
    public int[] Ids { get; }

    private readonly Dictionary<string, int> _index;

    public Corpus(string text)
    {
        var tokens = Regex.Matches(text.ToLowerInvariant(), "[a-z']+").Select(m => m.Value.Trim('\'')).Where(w => w.Length > 0).ToList();
        var ranked = tokens.GroupBy(w => w).Select(g => (Word: g.Key, Count: g.Count()))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Word, StringComparer.Ordinal).Take(Vocabulary).ToList();
        if (ranked.Count < Vocabulary) throw new ArgumentException($"The text has {ranked.Count} distinct words; the embedding samples need at least {Vocabulary}.", nameof(text));
        Words = ranked.Select(p => p.Word).ToArray();
        Counts = ranked.Select(p => (float)p.Count).ToArray();
        _index = Words.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        Ids = tokens.Where(_index.ContainsKey).Select(w => _index[w]).ToArray();
    }

    public static Corpus Load() => new(TextFile.Read(DataFiles.Find("text/fortunes.txt")));

    public int this[string word] => _index.TryGetValue(word, out var id) ? id
        : throw new KeyNotFoundException($"'{word}' is not among the {Vocabulary} most frequent words of the corpus.");

    /// <summary>
    /// Skip-gram pairs as word2vec makes them: frequent words subsampled (kept with probability √(t / f) for t = 10⁻³),
    /// then each word paired with the words up to b positions away, b drawn from 1 .. <paramref name="window"/> per word.
    /// </summary>
    public (float[] Centers, float[] Contexts) Pairs(int window, ulong seed)
    {
        var rng = new Rng(seed, 11);
        double total = Counts.Sum();
        var kept = Ids.Where((id, i) => rng.Uniform((ulong)i) < Math.Sqrt(1e-3 / (Counts[id] / total))).ToArray();
        var centers = new List<float>();
        var contexts = new List<float>();
        var reach = new Rng(seed, 12);
        for (int i = 0; i < kept.Length; i++)
        {
            int b = 1 + (int)(reach.Bits((ulong)i) % (ulong)window);
            for (int j = Math.Max(0, i - b); j <= Math.Min(kept.Length - 1, i + b); j++)
                if (j != i) { centers.Add(kept[i]); contexts.Add(kept[j]); }
        }
        return (centers.ToArray(), contexts.ToArray());
    }

    /// <summary>GloVe's co-occurrence counts: pairs within <paramref name="window"/> positions, each weighted 1 / distance, both directions.</summary>
    public (float[] Rows, float[] Cols, float[] Values) Cooccurrences(int window)
    {
        var counts = new Dictionary<long, double>();
        for (int i = 0; i < Ids.Length; i++)
            for (int d = 1; d <= window && i + d < Ids.Length; d++)
            {
                int a = Ids[i], c = Ids[i + d];
                counts[(long)a * Vocabulary + c] = counts.GetValueOrDefault((long)a * Vocabulary + c) + 1.0 / d;
                counts[(long)c * Vocabulary + a] = counts.GetValueOrDefault((long)c * Vocabulary + a) + 1.0 / d;
            }
        var cells = counts.OrderBy(kv => kv.Key).ToList();
        return (cells.Select(kv => (float)(kv.Key / Vocabulary)).ToArray(), cells.Select(kv => (float)(kv.Key % Vocabulary)).ToArray(),
            cells.Select(kv => (float)kv.Value).ToArray());
    }
}
