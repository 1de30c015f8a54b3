using System.Collections.Generic;
using System.Linq;

namespace GraphNet.Compiler;

/// <summary>
/// Composite ops: expanded into primitives when built, so autodiff, passes and codegen never see
/// them and they need no gradient or kernel of their own. Numerically stable forms throughout.
/// </summary>
public sealed partial class GraphBuilder
{
    public Node Square(Node x) => Mul(x, x);

    /// <summary>Mean over <paramref name="axes"/> (all when null or empty): sum times 1/count.</summary>
    public Node Mean(Node x, IReadOnlyList<int>? axes = null, bool keepDims = false)
    {
        var ax = NormalizeAxes(axes, x.Shape.Rank, "mean");
        var count = ax.Aggregate(Dim.Const(1), (acc, a) => acc * x.Shape[a]);
        var sum = Sum(x, ax, keepDims);
        return count.IsConstant ? Mul(sum, Const(1.0 / count.Coef)) : Div(sum, DimValue(count));
    }

    /// <summary>Minimum over axes, as <c>-max(-x)</c>.</summary>
    public Node Min(Node x, IReadOnlyList<int>? axes = null, bool keepDims = false) => Neg(Max(Neg(x), axes, keepDims));

    /// <summary><c>log(sum(exp(x)))</c> over one axis, shifted by the (gradient-stopped) max.</summary>
    public Node LogSumExp(Node x, int axis = -1, bool keepDims = false)
    {
        var m = StopGradient(Max(x, new[] { axis }, keepDims: true));
        var r = Add(m, Log(Sum(Exp(Sub(x, m)), new[] { axis }, keepDims: true)));
        return keepDims ? r : Reshape(r, new Shape(x.Shape.Dims.Where((_, i) => i != NormalizeAxis(axis, x.Shape.Rank, "logsumexp"))));
    }

    public Node Softmax(Node x, int axis = -1)
    {
        var e = Exp(Sub(x, StopGradient(Max(x, new[] { axis }, keepDims: true))));
        return Div(e, Sum(e, new[] { axis }, keepDims: true));
    }

    public Node LogSoftmax(Node x, int axis = -1) => Sub(x, LogSumExp(x, axis, keepDims: true));

    /// <summary>The identity matrix [n, n] (for ridge penalties and other closed forms).</summary>
    public Node Eye(int n) => Eye(Dim.Const(n));

    /// <summary>The identity matrix [n, n] of a size that may be symbolic (<c>Eye(N)</c> for N points).</summary>
    public Node Eye(Dim n)
    {
        if (n.IsConstant && n.Coef <= 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"eye needs a positive size, got {n}");
        var shape = new Shape(n, n);
        return Eq(Iota(shape, 0), Iota(shape, 1));
    }

    /// <summary>One-hot rows of 0/1 floats for integer labels (given as floats) of any shape.</summary>
    public Node OneHot(Node labels, int classes)
    {
        if (classes <= 0) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"one_hot: class count must be positive, got {classes}");
        // Rows of the identity picked by label: a gather, so a label outside 0 .. classes − 1 (or not an integer) is an error, not a zero row.
        return Gather(StopGradient(Eye(classes)), labels);
    }

    /// <summary>Per-row cross-entropy of <c>softmax(logits)</c> against integer class labels (given as floats).</summary>
    public Node SoftmaxCrossEntropy(Node logits, Node labels)
    {
        if (logits.Shape.Rank < 1)
            throw new ShapeError(ShapeErrorKind.WrongRank, $"softmax_cross_entropy: logits need a class axis, got {logits.Shape}");
        var rows = new Shape(logits.Shape.Dims.Take(logits.Shape.Rank - 1));
        if (!labels.Shape.Equals(rows))
            throw new ShapeError(ShapeErrorKind.Mismatch,
                $"softmax_cross_entropy: labels {labels.Shape} must have the logits' shape {logits.Shape} without the class axis, {rows}");
        var classes = logits.Shape[logits.Shape.Rank - 1];
        if (!classes.IsConstant)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"softmax_cross_entropy: the class axis of {logits.Shape} must be a constant");
        var picked = Sum(Mul(logits, OneHot(labels, (int)classes.Coef)), new[] { -1 });
        return Sub(LogSumExp(logits, -1), picked);
    }

    /// <summary>Mean squared error over all elements.</summary>
    public Node Mse(Node prediction, Node target) => Mean(Square(Sub(LossOperand("Mse", prediction, target), target)));

    /// <summary>
    /// Warns when a loss's two operands broadcast against each other into a shape neither has (a prediction [B, 1]
    /// against targets [B] makes [B, B]: the loss then averages over every pair, silently); returns the first operand.
    /// </summary>
    private Node LossOperand(string loss, Node a, Node b)
    {
        if (!a.Shape.Equals(b.Shape) && BroadcastShape(a.Shape, b.Shape, loss) is var both && !both.Equals(a.Shape) && !both.Equals(b.Shape))
            _warnings.Add($"{loss}: its operands {a.Shape} and {b.Shape} broadcast to {both}, so the loss covers every pair of their elements; "
                + $"give both the same shape (for example Reshape the {a.Shape} one to {b.Shape}) unless the pairs are what you mean");
        return a;
    }

    /// <summary>Mean absolute error over all elements.</summary>
    public Node Mae(Node prediction, Node target) => Mean(Abs(Sub(LossOperand("Mae", prediction, target), target)));

    /// <summary>Elementwise Huber loss: quadratic within <paramref name="delta"/>, linear beyond.</summary>
    public Node Huber(Node prediction, Node target, double delta = 1.0)
    {
        var d = Sub(LossOperand("Huber", prediction, target), target);
        var ad = Abs(d);
        var quadratic = Mul(Const(0.5), Square(d));
        var linear = Mul(Const(delta), Sub(ad, Const(0.5 * delta)));
        return Where(Le(ad, Const(delta)), quadratic, linear);
    }

    /// <summary><c>log(1 + exp(x))</c> as <c>relu(x) + log(1 + exp(-|x|))</c>.</summary>
    /// <remarks>
    /// Two smooth branches, each fed only values where its exp cannot overflow: x + log(1 + e^-x) for x &gt; 0,
    /// log(1 + e^x) otherwise. Unlike relu(x) + log(1 + e^-|x|), whose kinks at 0 give softplus'(0) = 0 under
    /// the subgradient conventions, this has the true derivatives everywhere (softplus'(0) = 1/2, and a
    /// nonzero second derivative at 0, which Newton's method from a zero start needs).
    /// </remarks>
    public Node Softplus(Node x)
    {
        var positive = Gt(x, Const(0));
        var xp = Where(positive, x, Const(0));
        var xn = Where(positive, Const(0), x);
        return Where(positive, Add(xp, Log(Add(Const(1), Exp(Neg(xp))))), Log(Add(Const(1), Exp(xn))));
    }

    /// <summary>Elementwise binary cross-entropy of <c>sigmoid(logits)</c> against 0/1 targets.</summary>
    public Node BinaryCrossEntropyWithLogits(Node logits, Node targets) =>
        Sub(Softplus(LossOperand("BinaryCrossEntropyWithLogits", logits, targets)), Mul(logits, targets));

    /// <summary>Elementwise hinge loss <c>max(0, 1 - y*score)</c> for labels y in {-1, +1}.</summary>
    public Node Hinge(Node scores, Node labels) => Relu(Sub(Const(1), Mul(labels, LossOperand("Hinge", scores, labels))));
}
