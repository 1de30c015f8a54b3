using System;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// The geometry of sliding windows over 1 or 2 spatial dims: kernel size, stride, dilation and zero
/// padding before and after, per spatial dim. Stored in a node's <see cref="NodeAttrs.Ints"/> as
/// [kernel..., stride..., dilation..., padBefore..., padAfter...].
/// </summary>
public sealed class Window
{
    public Window(int[] kernel, int[] stride, int[] dilation, int[] padBefore, int[] padAfter)
    {
        int s = kernel.Length;
        if (s is < 1 or > 2 || stride.Length != s || dilation.Length != s || padBefore.Length != s || padAfter.Length != s)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"windows span 1 or 2 spatial dims, with one kernel size, stride, dilation and padding each; got kernel ({Fmt(kernel)})");
        if (kernel.Any(k => k < 1) || stride.Any(v => v < 1) || dilation.Any(v => v < 1))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"kernel ({Fmt(kernel)}), stride ({Fmt(stride)}) and dilation ({Fmt(dilation)}) must be positive");
        if (padBefore.Any(v => v < 0) || padAfter.Any(v => v < 0))
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"padding ({Fmt(padBefore)} / {Fmt(padAfter)}) must not be negative");
        Kernel = kernel; Stride = stride; Dilation = dilation; PadBefore = padBefore; PadAfter = padAfter;
    }

    public int Rank => Kernel.Length;
    public int[] Kernel { get; }
    public int[] Stride { get; }
    public int[] Dilation { get; }
    public int[] PadBefore { get; }
    public int[] PadAfter { get; }

    /// <summary>Window positions along spatial dim <paramref name="i"/> for an input of <paramref name="n"/> elements.</summary>
    /// <remarks>Computed in 64 bits and floored: a kernel larger than the padded input has no positions (0), never a wrapped count; more positions than an int holds is an error.</remarks>
    public int Positions(int i, int n)
    {
        long span = (long)n + PadBefore[i] + PadAfter[i] - (long)Dilation[i] * (Kernel[i] - 1) - 1;
        if (span < 0) return 0;
        long positions = span / Stride[i] + 1;
        return positions <= int.MaxValue ? (int)positions
            : throw new ShapeError(ShapeErrorKind.InvalidArgument, $"window {this} over {n} elements makes {positions} positions, more than a tensor can hold");
    }

    public int[] ToInts() => Kernel.Concat(Stride).Concat(Dilation).Concat(PadBefore).Concat(PadAfter).ToArray();

    public static Window FromInts(int[] ints)
    {
        int s = ints.Length / 5;
        int[] Part(int k) => ints.Skip(k * s).Take(s).ToArray();
        return new Window(Part(0), Part(1), Part(2), Part(3), Part(4));
    }

    public override string ToString() =>
        $"k={Fmt(Kernel)} s={Fmt(Stride)} d={Fmt(Dilation)} p={Fmt(PadBefore)}/{Fmt(PadAfter)}";

    private static string Fmt(int[] v) => string.Join("x", v);
}
