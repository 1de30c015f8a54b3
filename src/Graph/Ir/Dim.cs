using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// One dimension size: a monomial <c>Coef * S1 * S2 * ...</c> over named symbolic dims
/// (for example <c>784</c>, <c>B</c>, <c>B*T</c>, <c>4*B</c>). Products arise from reshapes
/// such as <c>[B, T, C] -> [B*T, C]</c>; sums of symbols are not dims.
/// </summary>
public readonly struct Dim : IEquatable<Dim>, IComparable<Dim>
{
    /// <summary>The constant factor.</summary>
    public long Coef { get; }

    /// <summary>The symbols, sorted ordinally and joined by '*'; empty for a constant.</summary>
    public string Symbols => _symbols ?? "";

    private readonly string? _symbols;

    private Dim(long coef, string symbols) { Coef = coef; _symbols = symbols; }

    /// <summary>True for a single symbol with factor 1 (a dim an input can bind).</summary>
    public bool IsSymbol => Coef == 1 && Symbols.Length > 0 && Symbols.IndexOf('*') < 0;

    public static Dim Const(long value) => new(value, "");

    public static Dim Sym(string name) => new(1, name);

    public bool IsConstant => Symbols.Length == 0;

    public IEnumerable<string> SymbolList => IsConstant ? Array.Empty<string>() : Symbols.Split('*');

    public static Dim operator *(Dim a, Dim b)
    {
        var syms = a.SymbolList.Concat(b.SymbolList).OrderBy(s => s, StringComparer.Ordinal);
        long coef;
        try { coef = checked(a.Coef * b.Coef); }
        catch (OverflowException) { throw new ShapeError(ShapeErrorKind.InvalidArgument, $"the dim product {a} * {b} does not fit in 64 bits"); }
        return new Dim(coef, string.Join("*", syms));
    }

    /// <summary>Exact division, or null when <paramref name="b"/> does not divide <paramref name="a"/>.</summary>
    public static Dim? TryDivide(Dim a, Dim b)
    {
        if (b.Coef == 0 || a.Coef % b.Coef != 0) return null;
        var rest = a.SymbolList.ToList();
        foreach (var s in b.SymbolList)
            if (!rest.Remove(s)) return null;
        return new Dim(a.Coef / b.Coef, string.Join("*", rest));
    }

    /// <summary>The value once every symbol is bound.</summary>
    public long Evaluate(Func<string, long> bind)
    {
        long v = Coef;
        foreach (var s in SymbolList) v *= bind(s);
        return v;
    }

    /// <summary>A C# expression for this dim, given how a symbol is spelled in the generated code.</summary>
    public string ToCode(Func<string, string> symbol)
    {
        if (IsConstant) return Coef.ToString(CultureInfo.InvariantCulture);
        var parts = SymbolList.Select(symbol).ToList();
        if (Coef != 1) parts.Insert(0, Coef.ToString(CultureInfo.InvariantCulture));
        return string.Join(" * ", parts);
    }

    public bool Equals(Dim other) => Coef == other.Coef && string.Equals(Symbols, other.Symbols, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    public override int GetHashCode() => unchecked((int)Coef * 397 ^ StringComparer.Ordinal.GetHashCode(Symbols));

    public int CompareTo(Dim other)
    {
        int c = string.CompareOrdinal(Symbols, other.Symbols);
        return c != 0 ? c : Coef.CompareTo(other.Coef);
    }

    public static bool operator ==(Dim a, Dim b) => a.Equals(b);

    public static bool operator !=(Dim a, Dim b) => !a.Equals(b);

    public static implicit operator Dim(int value) => Const(value);

    public override string ToString()
    {
        if (IsConstant) return Coef.ToString(CultureInfo.InvariantCulture);
        return Coef == 1 ? Symbols : Coef.ToString(CultureInfo.InvariantCulture) + "*" + Symbols;
    }
}
