using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace GraphNet.Data;

/// <summary>A numeric table read from CSV: features [N, F], a target [N], and the column names.</summary>
public sealed record Table(Dataset Data, IReadOnlyList<string> FeatureNames, string TargetName);

/// <summary>
/// Reads CSV files with a header row and numeric cells (invariant culture; quoted fields allowed).
/// Errors name the file, the row and the column, and what was expected.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Reads <paramref name="path"/>; the column named <paramref name="target"/> (default: the last column) is the
    /// target, every other column a feature.
    /// </summary>
    public static Table Read(string path, string? target = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader, path, target);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> is used in error messages.</summary>
    public static Table Read(TextReader reader, string name, string? target = null)
    {
        var header = reader.ReadLine() ?? throw new InvalidDataException($"CSV file '{name}' is empty: expected a header row.");
        var columns = Split(header, name, 1);
        int targetIndex = target is null ? columns.Count - 1 : columns.IndexOf(target);
        if (targetIndex < 0)
            throw new ArgumentException($"CSV file '{name}' has no column '{target}'. Columns: {string.Join(", ", columns)}.", nameof(target));
        if (columns.Count < 2) throw new InvalidDataException($"CSV file '{name}' has {columns.Count} column; expected features and a target.");
        var features = new List<float>();
        var targets = new List<float>();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Length == 0) continue;
            var cells = Split(text, name, line);
            if (cells.Count != columns.Count)
                throw new InvalidDataException($"CSV file '{name}', line {line}: {cells.Count} cells, but the header has {columns.Count} columns.");
            for (int c = 0; c < cells.Count; c++)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new InvalidDataException($"CSV file '{name}', line {line}, column '{columns[c]}' ({c + 1}): '{cells[c]}' is not a number.");
                (c == targetIndex ? targets : features).Add(v);
            }
        }
        if (targets.Count == 0) throw new InvalidDataException($"CSV file '{name}' has a header but no data rows.");
        var names = new List<string>(columns);
        string targetName = names[targetIndex];
        names.RemoveAt(targetIndex);
        var x = new Tensor(features.ToArray(), targets.Count, names.Count);
        var y = new Tensor(targets.ToArray(), targets.Count);
        return new Table(new Dataset(x, y), names, targetName);
    }

    /// <summary>Splits one line on commas; a field in double quotes may hold commas and doubled quotes.</summary>
    private static List<string> Split(string line, string name, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString().Trim()); cell.Clear(); }
            else cell.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"CSV file '{name}', line {lineNumber}: a quoted field is not closed.");
        cells.Add(cell.ToString().Trim());
        return cells;
    }
}
