using GraphNet;
using static GraphNet.Ops;

namespace Benchmarks.Peers;

/// <summary>
/// The f_mf workload: ratings r ≈ ⟨P[u], Q[i]⟩ with P [10000, 32] and Q [2000, 32] as embedding tables, the loss as the
/// peer's autograd variant writes it (half the summed squared error plus half the L2 of the rows used), one SGD
/// [Train] step per mini-batch (the tables' gradients are scatter-adds of the batch's rows).
/// </summary>
[Model]
public sealed partial class MatrixFactorization
{
    public const int Users = 10000, Items = 2000, Rank = 32;
    public const float Reg = 0.01f;

    [Param(Users, Rank, Init = Init.Normal)] Tensor p;
    [Param(Items, Rank, Init = Init.Normal)] Tensor q;

    public Tensor Loss([Shape("B")] Tensor users, [Shape("B")] Tensor items, [Shape("B")] Tensor ratings)
    {
        var pu = Embedding(p, users);
        var qi = Embedding(q, items);
        return 0.5f * Sum(Square(Sum(pu * qi, 1) - ratings)) + 0.5f * Reg * (Sum(Square(pu)) + Sum(Square(qi)));
    }

    public Tensor Rmse([Shape("N")] Tensor users, [Shape("N")] Tensor items, [Shape("N")] Tensor ratings) =>
        Sqrt(Mean(Square(Sum(Embedding(p, users) * Embedding(q, items), 1) - ratings)));

    [Train(nameof(Loss))] public partial float Step(Tensor users, Tensor items, Tensor ratings, Optimizer optimizer);
    [Compile(nameof(Rmse))] public partial Tensor TrainRmse(Tensor users, Tensor items, Tensor ratings);
}
