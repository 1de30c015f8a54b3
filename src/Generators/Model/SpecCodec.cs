using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace GraphNet.Generators;

/// <summary>
/// Writes a spec (a <see cref="ModuleSpec"/> and everything under it) as text and reads it back, so a module
/// compiled into one assembly can be used by models in another: the generator stores the text on the compiled
/// class (<c>[CompiledModule(Version, text)]</c>) and reads it from the referenced assembly's metadata.
/// Records are written by their constructor arguments and settable properties, in a fixed order; source
/// locations are not kept (diagnostics inside such a module point at the call site in the user's code).
/// </summary>
public static class SpecCodec
{
    /// <summary>The text format's version; bump it when a spec record changes shape.</summary>
    public const int Version = 4;

    private const string Namespace = "GraphNet.Generators.";

    public static string Encode(object spec)
    {
        var sb = new StringBuilder();
        Write(sb, spec);
        return sb.ToString();
    }

    public static T Decode<T>(string text) where T : class
    {
        var r = new Reader(text);
        var v = r.Read(typeof(T));
        r.SkipSpace();
        if (!r.AtEnd) throw new FormatException($"text after the spec at {r.Position}");
        return v as T ?? throw new FormatException($"the spec is not a {typeof(T).Name}");
    }

    private sealed class Shape
    {
        public ConstructorInfo Constructor = null!;
        public ParameterInfo[] Arguments = null!;
        public PropertyInfo[] Settable = null!;
    }

    private static readonly Dictionary<Type, Shape> Shapes = new();

    private static Shape ShapeOf(Type t)
    {
        lock (Shapes)
        {
            if (Shapes.TryGetValue(t, out var s)) return s;
            var ctor = t.GetConstructors().Where(c => !c.GetParameters().Any(p => p.ParameterType == t)).OrderByDescending(c => c.GetParameters().Length).First();
            var args = ctor.GetParameters();
            var argNames = new HashSet<string>(args.Select(a => a.Name!), StringComparer.Ordinal);
            var settable = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !argNames.Contains(p.Name) && p.GetIndexParameters().Length == 0)
                .OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
            s = new Shape { Constructor = ctor, Arguments = args, Settable = settable };
            Shapes[t] = s;
            return s;
        }
    }

    private static bool IsEquatableArray(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(EquatableArray<>);

    private static void Write(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append('~'); return;
            case LocationInfo: sb.Append('@'); return;
            case string s:
                sb.Append('"');
                foreach (var c in s)
                {
                    if (c is '"' or '\\') sb.Append('\\');
                    sb.Append(c);
                }
                sb.Append('"');
                return;
            case bool b: sb.Append(b ? 'T' : 'F'); return;
            case int i: sb.Append('i').Append(i.ToString(CultureInfo.InvariantCulture)); return;
            case double d: sb.Append('d').Append(d.ToString("R", CultureInfo.InvariantCulture)); return;
            case Enum e: sb.Append('i').Append(Convert.ToInt32(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)); return;
        }
        var t = v.GetType();
        if (IsEquatableArray(t))
        {
            sb.Append('[');
            foreach (var item in (System.Collections.IEnumerable)v) { sb.Append(' '); Write(sb, item); }
            sb.Append(" ]");
            return;
        }
        if (t.FullName is not { } full || !full.StartsWith(Namespace, StringComparison.Ordinal))
            throw new ArgumentException($"SpecCodec cannot write a {t.FullName}");
        var shape = ShapeOf(t);
        sb.Append('(').Append(full.Substring(Namespace.Length));
        foreach (var a in shape.Arguments) { sb.Append(' '); Write(sb, t.GetProperty(a.Name!)!.GetValue(v)); }
        foreach (var p in shape.Settable) { sb.Append(' '); Write(sb, p.GetValue(v)); }
        sb.Append(')');
    }

    private sealed class Reader
    {
        private readonly string _s;
        private int _i;

        public Reader(string s) { _s = s; }

        public int Position => _i;

        public bool AtEnd => _i >= _s.Length;

        public void SkipSpace() { while (_i < _s.Length && _s[_i] == ' ') _i++; }

        private char Next()
        {
            SkipSpace();
            if (_i >= _s.Length) throw new FormatException("the spec ends early");
            return _s[_i++];
        }

        private string Token()
        {
            int start = _i;
            while (_i < _s.Length && _s[_i] is not (' ' or ')' or ']')) _i++;
            return _s.Substring(start, _i - start);
        }

        public object? Read(Type expected)
        {
            char c = Next();
            switch (c)
            {
                case '~': return null;
                case '@': return new LocationInfo(-1);
                case 'T': return true;
                case 'F': return false;
                case 'i':
                    var n = int.Parse(Token(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    var target = Nullable.GetUnderlyingType(expected) ?? expected;
                    return target.IsEnum ? Enum.ToObject(target, n) : n;
                case 'd': return double.Parse(Token(), NumberStyles.Float, CultureInfo.InvariantCulture);
                case '"':
                    var sb = new StringBuilder();
                    while (true)
                    {
                        if (_i >= _s.Length) throw new FormatException("a string does not end");
                        char ch = _s[_i++];
                        if (ch == '"') break;
                        if (ch == '\\') { if (_i >= _s.Length) throw new FormatException("a string does not end"); ch = _s[_i++]; }
                        sb.Append(ch);
                    }
                    return sb.ToString();
                case '[':
                    if (!IsEquatableArray(expected)) throw new FormatException($"an array where a {expected.Name} belongs, at {_i}");
                    var element = expected.GetGenericArguments()[0];
                    var items = new List<object?>();
                    while (true)
                    {
                        SkipSpace();
                        if (_i < _s.Length && _s[_i] == ']') { _i++; break; }
                        items.Add(Read(element));
                    }
                    var array = Array.CreateInstance(element, items.Count);
                    for (int k = 0; k < items.Count; k++) array.SetValue(items[k], k);
                    return Activator.CreateInstance(expected, array);
                case '(':
                    var name = Token();
                    var type = typeof(SpecCodec).Assembly.GetType(Namespace + name)
                        ?? throw new FormatException($"unknown spec record '{name}'");
                    if (!expected.IsAssignableFrom(type)) throw new FormatException($"a {name} where a {expected.Name} belongs");
                    var shape = ShapeOf(type);
                    var args = shape.Arguments.Select(a => Read(a.ParameterType)).ToArray();
                    var value = shape.Constructor.Invoke(args);
                    foreach (var p in shape.Settable) p.SetValue(value, Read(p.PropertyType));
                    if (Next() != ')') throw new FormatException($"'{name}' has more fields than this GraphNet knows, at {_i}");
                    return value;
                default:
                    throw new FormatException($"unexpected '{c}' at {_i - 1}");
            }
        }
    }
}
