using GraphNet;
using static GraphNet.Ops;

namespace Samples.Embeddings;

/// <summary>
/// Skip-gram with negative sampling (Mikolov et al. 2013): a word's vector predicts the words around it against
/// <see cref="Negatives"/> noise words per pair, drawn inside the compiled step from the unigram distribution raised to
/// 3/4 (inverse CDF: the number of cumulative probabilities below a uniform draw).
/// </summary>
[Model]
public sealed partial class SkipGram
{
    public const int V = Corpus.Vocabulary, D = 50, Negatives = 5;

    [Param(V, D, Init = Init.Uniform)] Tensor words;    // the embeddings
    [Param(V, D, Init = Init.Zeros)] Tensor contexts;   // the output vectors, zero at the start as in word2vec
    [Buffer(V)] Tensor noise;                            // cumulative noise distribution

    /// <summary>Sets the noise distribution from the word counts: P(w) ∝ count^0.75.</summary>
    public Tensor SetNoise([Shape(V)] Tensor counts)
    {
        var weight = Pow(counts, 0.75f);
        noise = CumSum(weight / Sum(weight));
        return Sum(counts);
    }

    public Tensor Loss([Shape("B")] Tensor center, [Shape("B")] Tensor context)
    {
        var b = center.Shape[0];
        var drawn = Minimum(Sum(Lt(Reshape(noise, 1, 1, V), Uniform(b, Negatives, 1)), 2), V - 1f); // [B, K] noise word ids
        var v = Embedding(words, center);                                                            // [B, D]
        var positive = Sum(v * Embedding(contexts, context), 1);                                     // [B]
        var negative = Sum(Embedding(contexts, drawn) * Reshape(v, b, 1, D), 2);                    // [B, K]
        return Mean(Softplus(-positive) + Sum(Softplus(negative), 1));
    }

    /// <summary>w·c for given word and context ids: what the model says about the pair (≈ PMI − log k at the optimum).</summary>
    public Tensor Score([Shape("N")] Tensor word, [Shape("N")] Tensor context) => Sum(Embedding(words, word) * Embedding(contexts, context), 1);

    /// <summary>The 6 words nearest each query by cosine similarity of the word vectors, the query itself first.</summary>
    public (Tensor similarity, Tensor ids) Nearest([Shape("Q")] Tensor query)
    {
        var unit = words / Sqrt(Sum(words * words, 1, keepDims: true));
        var (similarity, ids) = TopK(MatMul(Embedding(unit, query), unit, transposeB: true), 6, 1);
        return (similarity, ids);
    }

    [Update(nameof(SetNoise))] public partial Tensor UseCounts(Tensor counts);
    [Train(nameof(Loss))] public partial float Step(Tensor center, Tensor context, Optimizer optimizer);
    [Compile(nameof(Score))] public partial Tensor Dot(Tensor word, Tensor context);
    [Compile(nameof(Nearest))] public partial (Tensor similarity, Tensor ids) Neighbours(Tensor query);
}

/// <summary>
/// GloVe (Pennington et al. 2014): w_i·w̃_j + b_i + b̃_j fitted to log X_ij by weighted least squares over the non-zero
/// co-occurrence counts, with weight min(1, (X/100)^0.75); the embedding is W + W̃.
/// </summary>
[Model]
public sealed partial class GloVe
{
    public const int V = Corpus.Vocabulary, D = 50;
    public const float XMax = 100f, Alpha = 0.75f;

    [Param(V, D, Init = Init.Uniform)] Tensor w;
    [Param(V, D, Init = Init.Uniform)] Tensor wContext;
    [Param(V, Init = Init.Zeros)] Tensor bias;
    [Param(V, Init = Init.Zeros)] Tensor biasContext;

    public Tensor Fit([Shape("B")] Tensor row, [Shape("B")] Tensor col)
        => Sum(Embedding(w, row) * Embedding(wContext, col), 1) + Gather(bias, row) + Gather(biasContext, col);

    /// <summary>The weighted squared error per cell, averaged over the batch.</summary>
    public Tensor Loss([Shape("B")] Tensor row, [Shape("B")] Tensor col, [Shape("B")] Tensor count)
    {
        var weight = Minimum(Pow(count / XMax, Alpha), 1f);
        return Mean(weight * Square(Fit(row, col) - Log(count)));
    }

    public (Tensor similarity, Tensor ids) Nearest([Shape("Q")] Tensor query)
    {
        var embedding = w + wContext;
        var unit = embedding / Sqrt(Sum(embedding * embedding, 1, keepDims: true));
        var (similarity, ids) = TopK(MatMul(Embedding(unit, query), unit, transposeB: true), 6, 1);
        return (similarity, ids);
    }

    [Train(nameof(Loss))] public partial float Step(Tensor row, Tensor col, Tensor count, Optimizer optimizer);
    [Compile(nameof(Loss))] public partial Tensor Objective(Tensor row, Tensor col, Tensor count);
    [Compile(nameof(Fit))] public partial Tensor Predict(Tensor row, Tensor col);
    [Compile(nameof(Nearest))] public partial (Tensor similarity, Tensor ids) Neighbours(Tensor query);
}
