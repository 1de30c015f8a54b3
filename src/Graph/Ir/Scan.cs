using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// The loop of a scan: a body graph run once per step, compiled once whatever the number of steps.
/// The body's inputs are named <c>c0, c1, ...</c> (the carries: the previous step's values, the initial values
/// at the first step), <c>x0, ...</c> (step t of each scanned sequence, its time axis removed) and <c>v0, ...</c>
/// (loop invariants: parameters and values computed before the loop). Its outputs are <c>c0, ...</c> (the next
/// carries, of the carries' shapes) and <c>y0, ...</c> (per-step results, stacked time-major by the scan).
/// </summary>
public sealed class ScanBody
{
    public ScanBody(Graph body, Dim length, int carries, int[] xAxes, int invariants, int ys, bool reverse)
    {
        Body = body; Length = length; Carries = carries; XAxes = xAxes; Invariants = invariants; Ys = ys; Reverse = reverse;
    }

    public Graph Body { get; }

    /// <summary>The number of steps, bound at run time like any dim.</summary>
    public Dim Length { get; }

    public int Carries { get; }

    /// <summary>For each scanned sequence, its time axis.</summary>
    public int[] XAxes { get; }

    public int Xs => XAxes.Length;

    public int Invariants { get; }

    /// <summary>Per-step results, including <see cref="Residuals"/>.</summary>
    public int Ys { get; }

    /// <summary>Steps run from T-1 down to 0.</summary>
    public bool Reverse { get; }

    /// <summary>
    /// The last <see cref="Residuals"/> per-step results are values the backward pass needs (saved for reverse
    /// mode): body node ids of <see cref="Primal"/>'s graph, in output order.
    /// </summary>
    public int Residuals => ResidualIds.Count;

    public IReadOnlyList<int> ResidualIds { get; init; } = new int[0];

    /// <summary>For a body augmented with residuals: the body it was made from.</summary>
    public ScanBody? Primal { get; init; }

    /// <summary>A backward body: gradients of second order through it are not derived.</summary>
    public bool IsBackward { get; init; }

    public static string Carry(int i) => "c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string X(int i) => "x" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Invariant(int i) => "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Y(int i) => "y" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The body input of that name (every input survives dead code elimination).</summary>
    public static Node In(Graph body, string name) => body.Nodes.First(n => n.Op == OpKind.Input && n.Attrs.Name == name);

    /// <summary>The shape of output <paramref name="i"/> of a scan with this body: a final carry, or a stack [T, ...].</summary>
    public Shape OutputShape(int i) => i < Carries
        ? Body.Output(Carry(i)).Shape
        : new Shape(new[] { Length }.Concat(Body.Output(Y(i - Carries)).Shape.Dims).ToList());

    public override string ToString() =>
        $"steps={Length}{(Reverse ? ",reverse" : "")},carries={Carries},xs={Xs},invariants={Invariants},ys={Ys}"
        + (Residuals > 0 ? $",residuals={Residuals}" : "");
}
