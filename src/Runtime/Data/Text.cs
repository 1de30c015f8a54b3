using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace GraphNet.Data;

/// <summary>
/// A token vocabulary for text models: characters or words to ids and back. Word vocabularies keep the
/// most frequent words (ties broken by first appearance) and map the rest to <see cref="Unknown"/> (id 0).
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The token unknown words map to: id 0 of a word vocabulary (a character vocabulary has none).</summary>
    public const string Unknown = "<unk>";

    private readonly Dictionary<string, int> _ids;
    private readonly string[] _tokens;

    private Vocabulary(string[] tokens, bool words)
    {
        _tokens = tokens;
        IsWords = words;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Length; i++) _ids[tokens[i]] = i;
    }

    /// <summary>True for a word vocabulary, false for characters.</summary>
    public bool IsWords { get; }

    /// <summary>The number of tokens (<see cref="Unknown"/> included in a word vocabulary).</summary>
    public int Count => _tokens.Length;

    /// <summary>The token with id <paramref name="id"/>.</summary>
    public string this[int id] => _tokens[id];

    /// <summary>Every distinct character of <paramref name="text"/>, in ordinal order.</summary>
    public static Vocabulary Characters(string text) =>
        new(text.Distinct().OrderBy(c => c).Select(c => c.ToString()).ToArray(), words: false);

    /// <summary>
    /// Words of <paramref name="text"/> (lower-cased; letters, digits and apostrophes; every other non-space
    /// character is a token of its own) seen at least <paramref name="minCount"/> times, at most
    /// <paramref name="maxSize"/> of them including <see cref="Unknown"/>.
    /// </summary>
    public static Vocabulary Words(string text, int minCount = 1, int maxSize = int.MaxValue)
    {
        if (maxSize < 2) throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, "A word vocabulary needs room for <unk> and one word.");
        var counts = new Dictionary<string, (int Count, int First)>(StringComparer.Ordinal);
        int pos = 0;
        foreach (var w in Tokenize(text))
        {
            counts[w] = counts.TryGetValue(w, out var c) ? (c.Count + 1, c.First) : (1, pos);
            pos++;
        }
        var kept = counts.Where(kv => kv.Value.Count >= minCount)
            .OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Value.First)
            .Take(maxSize - 1).Select(kv => kv.Key);
        return new Vocabulary(new[] { Unknown }.Concat(kept).ToArray(), words: true);
    }

    /// <summary>The id of each token of <paramref name="text"/>, as floats (the form tensors hold).</summary>
    public Tensor Encode(string text)
    {
        var ids = new List<float>();
        if (IsWords)
            foreach (var w in Tokenize(text)) ids.Add(_ids.TryGetValue(w, out var id) ? id : 0);
        else
            foreach (var ch in text)
                ids.Add(_ids.TryGetValue(ch.ToString(), out var id) ? id
                    : throw new ArgumentException($"Character '{ch}' (U+{(int)ch:X4}) is not in this character vocabulary of {Count}.", nameof(text)));
        return new Tensor(ids.ToArray(), ids.Count);
    }

    /// <summary>Tokens back to text (words joined by spaces).</summary>
    public string Decode(ReadOnlySpan<float> ids)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < ids.Length; i++)
        {
            int id = (int)ids[i];
            if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id out of range for a vocabulary of {Count}.");
            if (IsWords && i > 0) sb.Append(' ');
            sb.Append(_tokens[id]);
        }
        return sb.ToString();
    }

    /// <summary>Lower-cased words; letters, digits and apostrophes make up a word, other non-space characters stand alone.</summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch) || ch == '\'') { word.Append(char.ToLowerInvariant(ch)); continue; }
            if (word.Length > 0) { yield return word.ToString(); word.Clear(); }
            if (!char.IsWhiteSpace(ch)) yield return ch.ToString();
        }
        if (word.Length > 0) yield return word.ToString();
    }
}

/// <summary>Reads text corpora.</summary>
public static class TextFile
{
    /// <summary>The whole file as UTF-8 text, with line endings normalized to '\n'.</summary>
    public static string Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Text file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).Replace("\r\n", "\n");
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"Text file '{path}' is not valid UTF-8 (at byte {e.Index}).", e);
        }
    }
}
