using GraphNet;
using static GraphNet.Ops;

namespace Samples.MatrixFactorization;

/// <summary>
/// Ratings r ≈ ⟨P[u], Q[i]⟩ with user and item factor tables. Trained two ways: by mini-batch gradient steps on the
/// regularized squared error ([Train]: the rows used are gathered, their gradients scattered back), and by
/// alternating least squares ([Update]): every user's row solves its own k×k ridge system (a batch of solves, the
/// systems assembled by scatter-adds of outer products), then every item's with the new users.
/// </summary>
[Model]
public sealed partial class RatingsModel
{
    public const int Users = 300, Items = 200, Rank = 8;
    public const float Lambda = 0.1f;

    [Param(Users, Rank, Init = Init.Normal)] Tensor p;
    [Param(Items, Rank, Init = Init.Normal)] Tensor q;

    /// <summary>The regularized squared error of a batch (λ on the rows it uses), summed over ratings.</summary>
    public Tensor Loss([Shape("B")] Tensor users, [Shape("B")] Tensor items, [Shape("B")] Tensor ratings)
    {
        var pu = Embedding(p, users);
        var qi = Embedding(q, items);
        return Sum(Square(Sum(pu * qi, 1) - ratings)) + Lambda * (Sum(Square(pu)) + Sum(Square(qi)));
    }

    public Tensor Rmse([Shape("N")] Tensor users, [Shape("N")] Tensor items, [Shape("N")] Tensor ratings) =>
        Sqrt(Mean(Square(Sum(Embedding(p, users) * Embedding(q, items), 1) - ratings)));

    /// <summary>For each owner row, (Σ f fᵀ + λI)⁻¹ Σ r f over its ratings: the least-squares row given the other side's factors f.</summary>
    public Tensor RidgeRows(Tensor owners, Tensor factors, Tensor ratings, int rows)
    {
        var n = factors.Shape[0];
        var gram = ScatterAdd(owners, Reshape(factors, n, Rank, 1) * Reshape(factors, n, 1, Rank), rows) + Lambda * Eye(Rank);
        var rhs = ScatterAdd(owners, factors * Reshape(ratings, n, 1), rows);
        return Solve(gram, rhs);
    }

    /// <summary>One ALS sweep: all users given the items, then all items given the new users. Returns the objective before the sweep.</summary>
    public Tensor Als([Shape("N")] Tensor users, [Shape("N")] Tensor items, [Shape("N")] Tensor ratings)
    {
        var objective = Sum(Square(Sum(Embedding(p, users) * Embedding(q, items), 1) - ratings)) + Lambda * (Sum(Square(p)) + Sum(Square(q)));
        var newP = RidgeRows(users, Embedding(q, items), ratings, Users);
        var newQ = RidgeRows(items, Embedding(newP, users), ratings, Items);
        p = newP;
        q = newQ;
        return objective;
    }

    [Train(nameof(Loss))] public partial float Step(Tensor users, Tensor items, Tensor ratings, Optimizer optimizer);
    [Update(nameof(Als))] public partial Tensor AlsSweep(Tensor users, Tensor items, Tensor ratings);
    [Compile(nameof(Rmse))] public partial Tensor Evaluate(Tensor users, Tensor items, Tensor ratings);
}
