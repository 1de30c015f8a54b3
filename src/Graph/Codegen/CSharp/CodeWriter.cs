using System;
using System.Text;

namespace GraphNet.Compiler;

/// <summary>A small indented writer for generated C#. Lines end in '\n' on every platform.</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    /// <summary>Writes each line of <paramref name="text"/> at the current indentation.</summary>
    public CodeWriter Lines(string text)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n')) Line(line);
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the result is disposed.</summary>
    public IDisposable Block(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return new Closer(this);
    }

    private sealed class Closer : IDisposable
    {
        private readonly CodeWriter _w;
        public Closer(CodeWriter w) { _w = w; }
        public void Dispose() { _w._indent--; _w.Line("}"); }
    }

    public override string ToString() => _sb.ToString();
}
