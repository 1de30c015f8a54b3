using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// One dimension size: a polynomial with integer coefficients over named symbolic dims, usually a single monomial
/// <c>Coef * S1 * S2 * ...</c> (for example <c>784</c>, <c>B</c>, <c>B*T</c>, <c>4*B</c>; products arise from reshapes
/// such as <c>[B, T, C] -> [B*T, C]</c>), and a sum where a slice or a concatenation makes one (<c>T-1</c> for
/// next-token targets, <c>T+S</c> for two sequences joined along time).
/// </summary>
public readonly struct Dim : IEquatable<Dim>, IComparable<Dim>
{
    private readonly long _coef;
    private readonly string? _symbols;
    private readonly Dim[]? _terms; // set only for a sum of two or more monomials: sorted by symbols, no zero coefficients

    /// <summary>The constant factor of a monomial (the value of a constant); for a sum, its largest coefficient.</summary>
    public long Coef => _terms is null ? _coef : _terms.Max(t => t._coef);

    /// <summary>A monomial's symbols, sorted ordinally and joined by '*' (empty for a constant); for a sum, the whole sum as text.</summary>
    public string Symbols => _terms is null ? _symbols ?? "" : ToString();

    private Dim(long coef, string symbols) { _coef = coef; _symbols = symbols; _terms = null; }

    private Dim(Dim[] terms) { _coef = 0; _symbols = null; _terms = terms; }

    /// <summary>True for a single symbol with factor 1 (a dim an input can bind).</summary>
    public bool IsSymbol => _terms is null && _coef == 1 && Symbols.Length > 0 && Symbols.IndexOf('*') < 0;

    /// <summary>True for a sum of two or more monomials (<c>T-1</c>, <c>T+S</c>).</summary>
    public bool IsSum => _terms is not null;

    public static Dim Const(long value) => new(value, "");

    public static Dim Sym(string name) => new(1, name);

    public bool IsConstant => _terms is null && Symbols.Length == 0;

    /// <summary>The symbols the dim depends on, each once.</summary>
    public IEnumerable<string> SymbolList => _terms is not null ? _terms.SelectMany(t => t.SymbolList).Distinct()
        : IsConstant ? Array.Empty<string>() : Symbols.Split('*');

    /// <summary>The monomials of the dim (itself when it is one).</summary>
    public IReadOnlyList<Dim> Terms => _terms ?? new[] { this };

    /// <summary>The canonical dim for a list of monomials: like terms merged, zero terms dropped.</summary>
    private static Dim Sum(IEnumerable<Dim> monomials)
    {
        var merged = monomials.GroupBy(t => t.Symbols, StringComparer.Ordinal)
            .Select(g => new Dim(g.Aggregate(0L, (acc, t) => checked(acc + t._coef)), g.Key))
            .Where(t => t._coef != 0).OrderBy(t => t.Symbols, StringComparer.Ordinal).ToArray();
        return merged.Length switch { 0 => Const(0), 1 => merged[0], _ => new Dim(merged) };
    }

    public static Dim operator +(Dim a, Dim b) => Sum(a.Terms.Concat(b.Terms));

    public static Dim operator -(Dim a, Dim b) => Sum(a.Terms.Concat(b.Terms.Select(t => new Dim(-t._coef, t.Symbols))));

    public static Dim operator *(Dim a, Dim b)
    {
        if (a.IsSum || b.IsSum) return Sum(a.Terms.SelectMany(x => b.Terms.Select(y => x * y)));
        var syms = a.SymbolList.Concat(b.SymbolList).OrderBy(s => s, StringComparer.Ordinal);
        long coef;
        try { coef = checked(a._coef * b._coef); }
        catch (OverflowException) { throw new ShapeError(ShapeErrorKind.InvalidArgument, $"the dim product {a} * {b} does not fit in 64 bits"); }
        return new Dim(coef, string.Join("*", syms));
    }

    /// <summary>Exact division by a monomial (every term of a sum divided), or null when <paramref name="b"/> does not divide <paramref name="a"/>.</summary>
    public static Dim? TryDivide(Dim a, Dim b)
    {
        if (a == b && a != Const(0)) return Const(1);
        if (b.IsSum) return null;
        if (a.IsSum)
        {
            var parts = new List<Dim>();
            foreach (var t in a._terms!)
                if (TryDivide(t, b) is { } q) parts.Add(q);
                else return null;
            return Sum(parts);
        }
        if (b._coef == 0 || a._coef % b._coef != 0) return null;
        var rest = a.SymbolList.ToList();
        foreach (var s in b.SymbolList)
            if (!rest.Remove(s)) return null;
        return new Dim(a._coef / b._coef, string.Join("*", rest));
    }

    /// <summary>The dim that <see cref="ToString"/> printed: "784", "B", "4*B", "B*T", "T-1", "2*T+S".</summary>
    public static Dim Parse(string text)
    {
        Dim sum = Const(0);
        int start = 0;
        for (int i = 1; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '+' && text[i] != '-') continue;
            bool negative = text[start] == '-';
            var term = text.Substring(negative || text[start] == '+' ? start + 1 : start, i - start - (negative || text[start] == '+' ? 1 : 0));
            Dim monomial = Const(1);
            foreach (var factor in term.Split('*'))
                monomial = monomial * (long.TryParse(factor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? new Dim(c, "")
                    : factor.Length > 0 ? Sym(factor) : throw new FormatException($"'{text}' is not a dim"));
            sum = negative ? sum - monomial : sum + monomial;
            start = i;
        }
        return text.Length == 0 ? throw new FormatException("an empty dim") : sum;
    }

    /// <summary>The value once every symbol is bound.</summary>
    public long Evaluate(Func<string, long> bind)
    {
        if (_terms is not null) return _terms.Sum(t => t.Evaluate(bind));
        long v = _coef;
        foreach (var s in SymbolList) v *= bind(s);
        return v;
    }

    /// <summary>A C# expression for this dim, given how a symbol is spelled in the generated code.</summary>
    public string ToCode(Func<string, string> symbol)
    {
        if (_terms is not null)
            return "(" + Join(_terms.Select(t => (t._coef < 0, new Dim(Math.Abs(t._coef), t.Symbols).ToCode(symbol))), " + ", " - ") + ")";
        if (IsConstant) return _coef.ToString(CultureInfo.InvariantCulture);
        var parts = SymbolList.Select(symbol).ToList();
        if (_coef != 1) parts.Insert(0, _coef.ToString(CultureInfo.InvariantCulture));
        return string.Join(" * ", parts);
    }

    /// <summary>Terms joined by a plus or minus sign, the first one's sign in front only when negative: "T-1", "-1+T" never.</summary>
    private static string Join(IEnumerable<(bool Negative, string Text)> terms, string plus, string minus)
    {
        var ordered = terms.OrderBy(t => t.Negative).ToList(); // positive terms first: T-1, not -1+T
        var text = (ordered[0].Negative ? "-" : "") + ordered[0].Text;
        foreach (var (negative, t) in ordered.Skip(1)) text += (negative ? minus : plus) + t;
        return text;
    }

    public bool Equals(Dim other) =>
        _terms is null ? other._terms is null && _coef == other._coef && string.Equals(Symbols, other.Symbols, StringComparison.Ordinal)
        : other._terms is not null && _terms.SequenceEqual(other._terms);

    public override bool Equals(object? obj) => obj is Dim d && Equals(d);

    public override int GetHashCode() => _terms is null
        ? unchecked((int)_coef * 397 ^ StringComparer.Ordinal.GetHashCode(Symbols))
        : _terms.Aggregate(17, (h, t) => unchecked(h * 31 + t.GetHashCode()));

    public int CompareTo(Dim other)
    {
        if (IsSum || other.IsSum) return string.CompareOrdinal(ToString(), other.ToString());
        int c = string.CompareOrdinal(Symbols, other.Symbols);
        return c != 0 ? c : _coef.CompareTo(other._coef);
    }

    public static bool operator ==(Dim a, Dim b) => a.Equals(b);

    public static bool operator !=(Dim a, Dim b) => !a.Equals(b);

    public static implicit operator Dim(int value) => Const(value);

    public override string ToString()
    {
        if (_terms is not null) return Join(_terms.Select(t => (t._coef < 0, new Dim(Math.Abs(t._coef), t.Symbols).ToString())), "+", "-");
        if (IsConstant) return _coef.ToString(CultureInfo.InvariantCulture);
        return _coef == 1 ? Symbols : _coef.ToString(CultureInfo.InvariantCulture) + "*" + Symbols;
    }
}
