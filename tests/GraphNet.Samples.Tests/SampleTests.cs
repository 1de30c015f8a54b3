using System;
using System.IO;
using System.Linq;
using GraphNet;
using GraphNet.Data;
using GraphNet.Terminal;
using Spectre.Console;
using Xunit;

namespace GraphNet.Samples.Tests;

/// <summary>Every sample runs and reaches its stated result; closed forms and exact solvers are the oracles.</summary>
public class SampleTests
{
    [Fact]
    public void Linear_regression_gradient_descent_converges_to_the_closed_form()
    {
        var r = global::Samples.LinearRegression.Sample.Run(steps: 3000);
        // Independent oracle for the Solve op: the normal equations by Cholesky in the runtime.
        var table = Csv.Read(DataFiles.Find("tabular/diabetes.csv"));
        var (train, _) = table.Data.Split(0.2, 1);
        var x = Standardizer.Fit(train.Features).Transform(train.Features);
        float mean = train.Targets.Data.Average();
        var centered = Tensor.FromArray(train.Targets.Data.Select(v => v - mean).ToArray(), train.Count);
        var oracle = Linalg.CholeskySolve(Ops.MatMul(x, x, transposeA: true), Ops.MatMul(x, centered, transposeA: true));
        for (int i = 0; i < 10; i++) Assert.Equal(oracle.Data[i], r.ClosedForm[i], 2);
        Assert.True(r.MaxCoefficientGap < 0.01, $"GD is {r.MaxCoefficientGap} from the closed form");
        Assert.Equal(r.TestMseClosedForm, r.TestMseGradientDescent, 0);
        Assert.InRange(r.TestR2, 0.4, 0.65);
    }

    [Fact]
    public void Ridge_matches_its_closed_form_and_lasso_zeroes_what_coordinate_descent_zeroes()
    {
        var r = global::Samples.RidgeLasso.Sample.Run(ridgeSteps: 3000, lassoSteps: 20000);
        for (int i = 0; i < r.Ridge.Length; i++) Assert.Equal(r.Ridge[i], r.RidgeGd[i], 2);
        for (int i = 0; i < r.Names.Length; i++)
        {
            Assert.True(Math.Abs(r.LassoSubgradient[i] - r.LassoCoordinateDescent[i]) < 0.05,
                $"{r.Names[i]}: subgradient {r.LassoSubgradient[i]}, coordinate descent {r.LassoCoordinateDescent[i]}");
            Assert.Equal(r.LassoCoordinateDescent[i] == 0, r.Zeroed[i]);
        }
        Assert.InRange(r.Zeroed.Count(z => z), 2, 8);
        Assert.All(r.Ridge, c => Assert.NotEqual(0f, c));
    }

    [Fact]
    public void Logistic_regression_gradient_descent_and_Newton_reach_the_same_optimum()
    {
        var r = global::Samples.LogisticRegression.Sample.Run(gdSteps: 4000, newtonSteps: 8);
        Assert.True(r.MaxParameterGap < 1e-3, $"the optima differ by {r.MaxParameterGap}");
        Assert.Equal(r.LossNewton, r.LossGd, 5);
        Assert.True(r.TestAccuracyNewton >= 0.95, $"test accuracy {r.TestAccuracyNewton}");
        Assert.Equal(r.TestAccuracyNewton, r.TestAccuracyGd);
    }

    [Fact]
    public void Soft_margin_svm_separates_the_test_set()
    {
        var r = global::Samples.Svm.Sample.Run(epochs: 60);
        Assert.True(r.TestAccuracy >= 0.94, $"test accuracy {r.TestAccuracy}");
        var objective = r.Curve.Points("objective");
        // At w = 0 the objective is 1 (every hinge is 1); the subgradient method with a decaying step ends far below
        // it and below where it stood after the first epoch.
        Assert.True(r.TrainObjective < 0.1, $"objective {r.TrainObjective}");
        Assert.True(objective[^1].Value <= objective[0].Value, "the objective should fall across epochs");
        Assert.InRange(r.MarginPoints, 1, r.TrainCount / 2);
    }

    [Fact]
    public void Mnist_mlp_with_Adam_reaches_94_percent_within_10_epochs_and_checkpoints()
    {
        var quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No });
        var r = global::Samples.MnistMlp.Sample.Run(epochs: 10, progress: new TrainingProgress(quiet));
        Assert.True(r.TestAccuracy[^1] >= 0.94, $"test accuracy after 10 epochs: {r.TestAccuracy[^1]}");
        Assert.True(r.TestAccuracy[0] > 0.8, "the first epoch should already learn");

        var path = Path.Combine(Path.GetTempPath(), $"graphnet-mlp-{Guid.NewGuid():N}.safetensors");
        try
        {
            r.Model.Save(path, r.Optimizer);
            var restored = new global::Samples.MnistMlp.Mlp(seed: 7);
            restored.Load(path, new Adam());
            var (_, test) = global::Samples.MnistMlp.Sample.Load();
            Assert.Equal(r.Model.Predict(test.Features).Data, restored.Predict(test.Features).Data);
        }
        finally { File.Delete(path); }
    }

    private static TrainingProgress Quiet() =>
        new(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No }));

    [Fact]
    public void LeNet5_learns_digits_on_a_reduced_run()
    {
        // Reduced: 2,000 training images, 2 epochs (the sample's 10 epochs on 8,000 reach 97%).
        var (r, _) = global::Samples.LeNet5.Sample.Run(epochs: 2, trainLimit: 2000, progress: Quiet());
        Assert.True(r.TestAccuracy[^1] >= 0.8, $"test accuracy {r.TestAccuracy[^1]}");
        Assert.True(r.TestAccuracy[^1] >= r.TestAccuracy[0] - 0.01, "accuracy should not fall");
    }

    [Fact]
    public void Row_lstm_learns_digits_read_row_by_row()
    {
        var (r, model) = global::Samples.MnistLstm.Sample.Run(epochs: 2, trainLimit: 2000, progress: Quiet());
        Assert.True(r.TestAccuracy[^1] >= 0.5, $"test accuracy {r.TestAccuracy[^1]}");
        Assert.True(r.TestAccuracy[^1] > r.TestAccuracy[0], $"accuracy should rise: {string.Join(", ", r.TestAccuracy)}");
        Assert.Equal(new[] { 4 * global::Samples.MnistLstm.RowLstm.Hidden, 28 }, model.Parameters["lstm.weight_ih_l0"].Value.Shape);
    }

    [Fact]
    public void ResNet_learns_digits_and_evaluates_with_running_statistics()
    {
        var (r, model) = global::Samples.ResNet.Sample.Run(epochs: 2, trainLimit: 2000, progress: Quiet());
        // 63 steps: far from converged (the sample's 5 epochs are), but well above chance in both modes.
        Assert.True(r.TestAccuracy[^1] >= 0.4, $"test accuracy (running statistics) {r.TestAccuracy[^1]}");
        var (_, test) = global::Samples.Shared.MnistClassifier.Load();
        var sub = test.Subset(Enumerable.Range(0, 500).ToArray());
        double withBatchStatistics = Metrics.Accuracy(model.PredictWithBatchStatistics(sub.Features), sub.Targets);
        double withRunning = Metrics.Accuracy(model.Predict(sub.Features), sub.Targets);
        Assert.True(withBatchStatistics >= 0.4, $"training-mode accuracy {withBatchStatistics}");
        Assert.True(withRunning >= 0.4, $"evaluation-mode accuracy {withRunning}");
        Assert.Contains(((IModel)model).Buffers, b => b.Key == "stem.bn.running_var" && b.Value.Data.Any(v => v != 1f));
    }

    [Fact]
    public void Vision_transformer_learns_digits_on_a_reduced_run()
    {
        var (r, _) = global::Samples.Vit.Sample.Run(epochs: 2, trainLimit: 2000, progress: Quiet());
        Assert.True(r.TestAccuracy[^1] >= 0.5, $"test accuracy {r.TestAccuracy[^1]}");
        Assert.True(r.TestAccuracy[^1] > r.TestAccuracy[0], $"accuracy should rise: {string.Join(", ", r.TestAccuracy)}");
    }

    [Fact]
    public void Character_gpt_lowers_validation_bits_and_generates_text()
    {
        var r = global::Samples.CharGpt.Sample.Run(steps: 40, evaluateEvery: 20, prompt: "Q: ", generate: 40, progress: Quiet());
        LanguageModelLearned(r.ValidationBits, r.Generated, global::Samples.Shared.CharText.Vocab);
        Assert.Equal(r.Generated, global::Samples.CharGpt.Sample.Generate(r.Model, "Q: ", 40)); // seeded sampling
    }

    /// <summary>A character model after 2 × 20 steps: below uniform by a bit, falling, and 40 characters generated after the prompt "Q: ".</summary>
    private static void LanguageModelLearned(double[] bits, string generated, int vocab)
    {
        double uniform = Math.Log2(vocab);
        Assert.True(bits[0] < uniform - 1, $"after 20 steps: {bits[0]} bits/char (uniform {uniform})");
        Assert.True(bits[1] < bits[0], $"bits/char should fall: {string.Join(", ", bits)}");
        Assert.StartsWith("Q: ", generated);
        Assert.Equal(43, generated.Length);
    }

    [Fact]
    public void Char_lstm_learns_fortunes_and_samples_through_its_compiled_loop()
    {
        var r = global::Samples.CharLstm.Sample.Run(steps: 40, evaluateEvery: 20, prompt: "Q: ", generate: 40, progress: Quiet());
        LanguageModelLearned(r.ValidationBits, r.Generated, global::Samples.CharLstm.CharLstm.Vocab);
        Assert.Equal(global::Samples.Shared.CharText.Vocab, global::Samples.CharLstm.CharLstm.Vocab);
        Assert.Equal(r.Generated, global::Samples.CharLstm.Sample.Generate(r.Model, "Q: ", 40)); // the same place in the stream, the same text
        Assert.NotEqual(r.Generated, global::Samples.CharLstm.Sample.Generate(r.Model, "Q: ", 40, rngSeed: 8));
        var cold = global::Samples.CharLstm.Sample.Generate(r.Model, "Q: ", 40, temperature: 0.05f); // near-greedy: a few characters repeat
        var hot = global::Samples.CharLstm.Sample.Generate(r.Model, "Q: ", 40, temperature: 5f);
        Assert.True(cold.Distinct().Count() < hot.Distinct().Count(), $"temperature 0.05 gave '{cold}', 5 gave '{hot}'");
    }

    [Fact]
    public void Seq2seq_with_attention_learns_to_reverse_digits_and_decodes_greedily_in_its_compiled_loop()
    {
        var r = global::Samples.Seq2Seq.Sample.Run(steps: 200, evaluateEvery: 100, testLengths: new[] { 5, 8 }, progress: Quiet());
        Assert.True(r.SequenceAccuracy[0] > 0.8, $"length 5: {r.SequenceAccuracy[0]:P1} of strings reversed");
        Assert.True(r.TokenAccuracy[1] > 0.8, $"length 8: {r.TokenAccuracy[1]:P1} of digits right");
        var parts = r.Example.Split(" -> ");
        Assert.Equal(parts[0].Length, parts[1].Length);
    }

    [Fact]
    public void Kmeans_on_iris_matches_scikit_learns_best_inertia()
    {
        // scikit-learn 1.2.1: KMeans(n_clusters=k, init="k-means++", n_init=20, random_state=0, algorithm="lloyd",
        // tol=1e-8, max_iter=1000) on the same 150×4 raw features, run offline with the Debian python3-sklearn.
        double[] sklearn = { 681.3706, 152.3479517603579, 78.851441426146, 57.22847321428572 };
        var r = global::Samples.KMeans.Sample.Run(maxK: 4, restarts: 20);
        for (int k = 0; k < 4; k++)
            Assert.True(Math.Abs(r.Inertia[k] - sklearn[k]) <= 1e-3 * sklearn[k], $"k = {k + 1}: inertia {r.Inertia[k]}, scikit-learn {sklearn[k]}");
        Assert.True(r.SpeciesAgreement > 0.88, $"k = 3 clusters agree with the species on {r.SpeciesAgreement:P1}");
        Assert.Equal(150, r.Clusters.Length);
    }

    [Fact]
    public void Knn_and_kernel_ridge_match_scikit_learn()
    {
        // scikit-learn 1.2.1 on the same splits (reference/knn_kernel_ridge.py): KNeighborsClassifier(brute) test
        // accuracy 0.96 (k = 1) and 0.9675 (k = 5); KernelRidge(alpha=1, rbf, gamma=0.05) test MSE 2879.1427625,
        // R² 0.5516590, first predictions 163.8582, 209.4739, 106.0385, 77.8164, 175.0139.
        var r = global::Samples.KnnKernelRidge.Sample.Run();
        Assert.Equal(0.96, r.Knn1Accuracy, 6);
        Assert.Equal(0.9675, r.Knn5Accuracy, 6);
        Assert.True(Math.Abs(r.KernelRidgeMse - 2879.1427625) < 1e-3 * 2879.1427625, $"test MSE {r.KernelRidgeMse}");
        Assert.Equal(0.5516590, r.KernelRidgeR2, 3);
        double[] first = { 163.8582, 209.4739, 106.0385, 77.8164, 175.0139 };
        for (int i = 0; i < first.Length; i++) Assert.True(Math.Abs(first[i] - r.FirstPredictions[i]) < 0.05, $"prediction {i}: {r.FirstPredictions[i]} vs {first[i]}");
    }

    [Fact]
    public void Langevin_chains_occupy_each_mode_in_proportion_to_its_weight()
    {
        // Under the mixture itself each mode's mean responsibility is exactly its weight.
        var r = global::Samples.Langevin.Sample.Run(steps: 1500);
        Assert.True(r.MaxGap < 0.02, $"occupancy {string.Join(", ", r.Occupancy)} against weights {string.Join(", ", r.Weights)}");
        Assert.True(r.InitialGap > 0.05, $"the chains start away from the mixture (N(0, I): gap {r.InitialGap})");
        // MALA: a 12x larger step, kept exact by the accept step (gradients at the proposals from the input-gradient entry)
        var mala = global::Samples.Langevin.Sample.RunMala(steps: 400);
        Assert.True(mala.MaxGap < 0.02, $"MALA occupancy {string.Join(", ", mala.Occupancy)} against weights {string.Join(", ", mala.Weights)}");
        Assert.InRange(mala.AcceptanceRate, 0.5, 0.999);
    }

    [Fact]
    public void Rbm_trained_by_cd_and_pcd_reconstructs_digits_and_samples_to_a_png_grid()
    {
        var r = global::Samples.Rbm.Sample.Run(epochs: 1, limit: 3200);
        Assert.True(r.CdError[0] < 0.5 * r.InitialError, $"CD-1: {r.CdError[0]} from {r.InitialError}");
        Assert.True(r.PcdError[0] < 0.5 * r.InitialError, $"PCD: {r.PcdError[0]} from {r.InitialError}");
        var start = new Tensor(4, global::Samples.Rbm.BinaryRbm.Visible);
        var samples = r.Pcd.Sample(start, 50);
        Assert.All(samples.Data, v => Assert.InRange(v, 0f, 1f));
        string path = Path.Combine(Path.GetTempPath(), "graphnet-grid-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            ImageGrid.WritePng(path, samples, 28, 28, columns: 2, scale: 1);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());
            int Int(int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
            Assert.Equal(2 * 29 + 1, Int(16)); // width: two 28-pixel images, a one-pixel gap around each
            Assert.Equal(2 * 29 + 1, Int(20));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Pca_matches_scikit_learn_and_the_linear_autoencoder_finds_its_subspace()
    {
        // scikit-learn 1.2.1 PCA(n_components=10) on the same 1797×64 digits (reference/pca_digits.py)
        double[] sklearn = { 0.148906, 0.136188, 0.117946, 0.0841, 0.057824, 0.049169, 0.04316, 0.036614, 0.033532, 0.030788 };
        var r = global::Samples.Pca.Sample.Run(steps: 1500);
        Assert.Equal((global::Samples.Pca.PrincipalComponents.D, global::Samples.Pca.PrincipalComponents.Components),
            (global::Samples.Pca.LinearAutoencoder.D, global::Samples.Pca.LinearAutoencoder.Code));
        for (int i = 0; i < sklearn.Length; i++) Assert.Equal(sklearn[i], r.Ratios[i], 4);
        Assert.True(Math.Abs(r.PcaError - 4.914300465788638) < 1e-4 * 4.9143, $"PCA reconstruction error {r.PcaError}");
        // the seeds' oracle: a linear autoencoder reaches PCA's error (never below it: PCA is the optimum)
        Assert.InRange(r.AutoencoderError, r.PcaError * 0.999, r.PcaError * 1.05);
    }

    [Fact]
    public void Skip_gram_scores_track_pmi_and_glove_fits_log_cooccurrences()
    {
        var corpus = global::Samples.Embeddings.Corpus.Load();
        // skip-gram with negative sampling: at its optimum w·c = PMI(w, c) − log k (Levy and Goldberg 2014)
        var sg = global::Samples.Embeddings.Sample.SkipGramRun(epochs: 3, corpus: corpus);
        Assert.True(sg.Loss.Zip(sg.Loss.Skip(1)).All(p => p.Second < p.First), "skip-gram loss per epoch: " + string.Join(", ", sg.Loss));
        Assert.True(sg.Correlation > 0.85, $"trained scores vs PMI: correlation {sg.Correlation}");
        Assert.Equal(5, sg.Neighbours["computer"].Length);
        Assert.DoesNotContain("computer", sg.Neighbours["computer"]);
        // GloVe: the whole weighted objective never rises from one epoch to the next, and the fit tracks log X
        var glove = global::Samples.Embeddings.Sample.GloVeRun(epochs: 8, corpus: corpus);
        Assert.True(glove.Loss.Zip(glove.Loss.Skip(1)).All(p => p.Second <= p.First), "GloVe objective per epoch: " + string.Join(", ", glove.Loss));
        Assert.True(Math.Abs(glove.CorrelationAtStart) < 0.05 && glove.Correlation > 0.7, $"fit vs log X: {glove.CorrelationAtStart} at the start, {glove.Correlation} trained");
    }

    [Fact]
    public void Mnist_mlp_trains_on_the_ilgpu_cpu_accelerator_as_on_the_cpu()
    {
        // a reduced run (2048 training and 2000 test images, one epoch) through the device runner and on the CPU
        using var device = GraphNet.Gpu.GpuDevice.CpuAccelerator();
        TrainingProgress Quiet() => new(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null), Interactive = InteractionSupport.No }));
        var cpu = global::Samples.MnistMlp.Sample.Run(epochs: 1, limit: 2048, progress: Quiet());
        var gpu = global::Samples.MnistMlp.Sample.Run(epochs: 1, limit: 2048, progress: Quiet(), device: device);
        Assert.True(gpu.TestAccuracy[0] > 0.8, $"test accuracy after one epoch on the device: {gpu.TestAccuracy[0]}");
        Assert.Equal(cpu.TestAccuracy[0], gpu.TestAccuracy[0], 2);
        for (int i = 0; i < cpu.Model.Parameters.Count; i++)
        {
            var a = cpu.Model.Parameters[i].Value.Data;
            var b = gpu.Model.Parameters[i].Value.Data;
            double worst = 0;
            for (int j = 0; j < a.Length; j++) worst = Math.Max(worst, Math.Abs(a[j] - b[j]));
            Assert.True(worst < 1e-3, $"{cpu.Model.Parameters[i].Name}: largest difference {worst} after one epoch");
        }
    }

    [Fact]
    public void Gmm_em_on_the_ilgpu_cpu_accelerator_follows_the_cpu_run()
    {
        // each EM iteration (batched Cholesky, triangular solve, log-determinant, the M-step) as device kernels
        using var device = GraphNet.Gpu.GpuDevice.CpuAccelerator();
        var cpu = global::Samples.Gmm.Sample.Run(maxIterations: 30);
        var gpu = global::Samples.Gmm.Sample.Run(maxIterations: 30, device: device);
        Assert.Equal(cpu.LogLikelihood.Length, gpu.LogLikelihood.Length);
        for (int i = 0; i < cpu.LogLikelihood.Length; i++) Assert.Equal(cpu.LogLikelihood[i], gpu.LogLikelihood[i], 4);
        Assert.True(gpu.LogLikelihood.Zip(gpu.LogLikelihood.Skip(1)).All(p => p.Second >= p.First - 1e-5), "the log-likelihood never decreases on the device either");
    }

    [Fact]
    public void Autoencoders_plain_denoising_and_contractive_show_their_properties()
    {
        // the contractive loss holds a gradient w.r.t. the input: its parameter gradients against finite differences
        var contractive = new global::Samples.Autoencoders.Autoencoder(seed: 4);
        var digits = global::Samples.Shared.MnistClassifier.Load().Test.Subset(Enumerable.Range(0, 16).ToArray()).Features;
        GradientsMatchFiniteDifferences(contractive, () => contractive.ContractiveGradients(digits), () => contractive.RandomDraws, d => contractive.RandomDraws = d);

        var r = global::Samples.Autoencoders.Sample.Run(epochs: 6);
        // each learned a code: far below the mean-image baseline (206 nats per test digit)
        foreach (var t in new[] { r.Plain, r.Denoising, r.Contractive })
            Assert.True(t.CleanError < r.MeanImageError - 30, $"{t.Kind}: {t.CleanError} nats/image against the baseline {r.MeanImageError}");
        Assert.InRange(r.KeptFraction, 0.64, 0.69); // the masking noise drew in the program keeps 2/3 of the pixels
        // the denoising autoencoder reconstructs corrupted digits better than the plain one
        Assert.True(r.Denoising.CorruptedError < r.Plain.CorruptedError - 5, $"corrupted digits: denoising {r.Denoising.CorruptedError}, plain {r.Plain.CorruptedError}");
        // the contractive penalty shrinks the encoder's Jacobian, and its estimator (a gradient in the loss) is unbiased
        Assert.True(r.Contractive.Jacobian < 0.5 * r.Plain.Jacobian, $"‖J‖²: contractive {r.Contractive.Jacobian}, plain {r.Plain.Jacobian}");
        Assert.True(Math.Abs(r.EstimatedJacobian - r.ExactJacobian) < 0.03 * r.ExactJacobian, $"estimate {r.EstimatedJacobian}, closed form {r.ExactJacobian}");
    }

    [Fact]
    public void Vae_elbo_improves_past_140_nats_and_the_beta_vae_trades_reconstruction_for_kl()
    {
        var r = global::Samples.Vae.Sample.Run(epochs: 4);
        Assert.True(r.Vae.NegativeElbo < 140, $"VAE test ELBO {-r.Vae.NegativeElbo} nats/image after 4 epochs");
        Assert.True(r.Vae.TrainLoss.Zip(r.Vae.TrainLoss.Skip(1)).All(p => p.Second < p.First), "the VAE's training loss falls every epoch");
        Assert.True(r.BetaVae.Kl < 0.7 * r.Vae.Kl && r.BetaVae.Reconstruction > r.Vae.Reconstruction,
            $"β = 4: KL {r.BetaVae.Kl} (VAE {r.Vae.Kl}), reconstruction {r.BetaVae.Reconstruction} (VAE {r.Vae.Reconstruction})");
        var samples = r.Vae.Model.Generate(16);
        Assert.Equal(new[] { 16, 784 }, samples.Shape);
        Assert.All(samples.Data, v => Assert.InRange(v, 0f, 1f));
    }

    /// <summary>
    /// Each parameter's gradient from a [Gradients] entry against central differences at three of its elements, the
    /// random draws of every call the same (the model's stream position put back before each). A ReLU network's loss
    /// has kinks a step can cross, so each element tries steps h, h/3 and h/10 and one of them must agree.
    /// </summary>
    private static void GradientsMatchFiniteDifferences(IModel model, Func<float> lossAndGradients, Func<ulong> position, Action<ulong> seek, float h = 1e-2f)
    {
        ulong start = position();
        lossAndGradients();
        foreach (var p in model.Parameters)
        {
            var g = p.Grad.ToArray();
            foreach (int i in new[] { 0, p.Value.Length / 2, p.Value.Length - 1 })
            {
                float keep = p.Value.Data[i];
                var tried = new System.Collections.Generic.List<double>();
                foreach (float step in new[] { h, h / 3, h / 10 })
                {
                    p.Value.Data[i] = keep + step; seek(start); double up = lossAndGradients();
                    p.Value.Data[i] = keep - step; seek(start); double down = lossAndGradients();
                    p.Value.Data[i] = keep;
                    tried.Add((up - down) / (2 * step));
                    if (Math.Abs(tried[^1] - g[i]) < 1e-2 + 0.03 * Math.Abs(tried[^1])) break;
                }
                Assert.True(Math.Abs(tried[^1] - g[i]) < 1e-2 + 0.03 * Math.Abs(tried[^1]), $"{p.Name}[{i}]: analytic {g[i]}, finite differences {string.Join(", ", tried)}");
            }
        }
        seek(start);
    }

    [Fact]
    public void Gan_steps_train_one_network_each_and_wgan_gp_covers_the_ring()
    {
        // a discriminator step moves the critic's parameters only, a generator step the generator's only
        var model = new global::Samples.Gan.Gan(seed: 3);
        float[] Values(string prefix) => model.Parameters.Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)).SelectMany(p => p.Value.ToArray()).ToArray();
        var (g0, c0) = (Values("generator."), Values("critic."));
        model.StepDiscriminator(global::Samples.Gan.Sample.Ring(64, 1), new Adam(1e-2f));
        Assert.Equal(g0, Values("generator."));
        Assert.NotEqual(c0, Values("critic."));
        var c1 = Values("critic.");
        model.StepGenerator(64, new Adam(1e-2f));
        Assert.Equal(c1, Values("critic."));
        Assert.NotEqual(g0, Values("generator."));
        // the clipped critic's update after its step keeps every weight in the box
        model.StepClippedCritic(global::Samples.Gan.Sample.Ring(64, 2), new Adam(1e-2f));
        Assert.All(Values("critic."), v => Assert.InRange(v, -global::Samples.Gan.Gan.Clip, global::Samples.Gan.Gan.Clip));

        // the gradient penalty differentiates the critic's input gradient: its parameter gradients against finite differences
        var penalized = new global::Samples.Gan.Gan(seed: 5);
        var ring = global::Samples.Gan.Sample.Ring(32, 4);
        GradientsMatchFiniteDifferences(penalized, () => penalized.PenalizedGradients(ring), () => penalized.RandomDraws, d => penalized.RandomDraws = d, h: 1e-3f);

        var r = global::Samples.Gan.Sample.Run(steps: 500);
        Assert.True(r.Penalized.ModesCovered >= 7 && r.Penalized.NearFraction > 0.3, $"WGAN-GP: {r.Penalized.ModesCovered} modes, {r.Penalized.NearFraction:P1} near a mode");
        Assert.True(r.Gan.ModesCovered >= 5, $"GAN: {r.Gan.ModesCovered} modes");
    }

    [Fact]
    public void Conditional_gan_draws_the_digit_it_is_asked_for()
    {
        var r = global::Samples.Gan.Digits.Run(epochs: 10, count: 300);
        Assert.InRange(r.Untrained.AsAsked, 0, 0.2); // chance is 0.1
        Assert.True(r.Samples.AsAsked > 0.5, $"read as the class asked for: {r.Samples.AsAsked}");
        Assert.True(r.Samples.Frechet < r.Untrained.Frechet / 4, $"Fréchet distance {r.Samples.Frechet} vs untrained {r.Untrained.Frechet}");
        Assert.Equal(new[] { 80, 784 }, r.Grid.Shape);
    }

    [Fact]
    public void Pgd_breaks_a_standard_classifier_and_adversarial_training_resists_it()
    {
        var r = global::Samples.Adversarial.Sample.Run(epochs: 2, robustEpochs: 3, smoothedDigits: 200, noisyCopies: 500, blackBoxDigits: 100);
        Assert.True(r.Standard.Clean > 0.85, $"standard clean accuracy {r.Standard.Clean}");
        Assert.True(r.Standard.PgdLinf < 0.3 && r.Standard.Fgsm < 0.5 && r.Standard.PgdL2 < 0.5,
            $"standard under attack: FGSM {r.Standard.Fgsm}, PGD-L∞ {r.Standard.PgdLinf}, PGD-L2 {r.Standard.PgdL2}");
        Assert.True(r.Robust.PgdLinf > 0.5 && r.Robust.PgdLinf > r.Standard.PgdLinf + 0.3, $"adversarially trained under PGD-L∞: {r.Robust.PgdLinf}");
        // certificates: IBP training certifies a share of the ε-box, and no certificate ever exceeds what PGD leaves standing
        Assert.True(r.Ibp.CertifiedIbp > 0.2, $"IBP-trained: certified {r.Ibp.CertifiedIbp}");
        foreach (var a in new[] { r.Standard, r.Robust, r.Ibp, r.Noisy }) Assert.True(a.CertifiedIbp <= a.PgdLinf, $"certified {a.CertifiedIbp} above PGD accuracy {a.PgdLinf}");
        Assert.True(r.Noisy.SmoothedCertified > 0.5, $"smoothed classifier (noise-trained) certified at L2 0.25: {r.Noisy.SmoothedCertified}");
        // without the model's gradients: loss queries alone, and a surrogate's PGD examples, still cost accuracy
        Assert.True(r.BlackBox < r.Standard.Clean - 0.05 && r.Transfer < 0.6, $"black-box {r.BlackBox}, transfer {r.Transfer}, clean {r.Standard.Clean}");
        Assert.InRange(r.LargestLinf, 0.09, 0.1 + 1e-6); // the projections hold: the L∞ box and the L2 ball
        Assert.InRange(r.LargestL2, 1.0, 1.5 + 1e-3);
    }

    [Fact]
    public void Flows_beat_the_best_gaussian_on_held_out_moons_and_integrate_to_one()
    {
        var r = global::Samples.Flows.Sample.Run(epochs: 60);
        Assert.True(r.RealNvp > r.Gaussian + 0.5, $"RealNVP {r.RealNvp} vs Gaussian {r.Gaussian} nats/point");
        Assert.True(r.Nice > r.Gaussian + 0.2, $"NICE {r.Nice} vs Gaussian {r.Gaussian} nats/point");
        // the exact change of variables: each density's total mass is 1
        Assert.InRange(r.RealNvpMass, 0.99, 1.01);
        Assert.InRange(r.NiceMass, 0.99, 1.01);
    }

    [Fact]
    public void Score_matching_gradients_match_finite_differences_and_langevin_samples_land_on_the_modes()
    {
        // the loss takes the energy's gradient and the diagonal of its Jacobian: its parameter gradient is a third derivative
        var model = new global::Samples.ScoreMatching.ScoreModel(seed: 2);
        var x = global::Samples.ScoreMatching.Sample.Mixture(32, 3);
        model.LossAndGradients(x);
        foreach (var p in model.Parameters)
        {
            var g = p.Grad.ToArray();
            foreach (int i in new[] { 0, p.Value.Length / 2, p.Value.Length - 1 })
            {
                float keep = p.Value.Data[i];
                p.Value.Data[i] = keep + 1e-2f; double up = model.LossAndGradients(x);
                p.Value.Data[i] = keep - 1e-2f; double down = model.LossAndGradients(x);
                p.Value.Data[i] = keep;
                double fd = (up - down) / 2e-2;
                Assert.True(Math.Abs(fd - g[i]) < 1e-2 + 0.03 * Math.Abs(fd), $"{p.Name}[{i}]: analytic {g[i]}, finite difference {fd}");
            }
        }
        var r = global::Samples.ScoreMatching.Sample.Run();
        Assert.True(r.Loss[^1] < r.Loss[0] - 10, $"loss {r.Loss[0]} → {r.Loss[^1]}");
        Assert.True(r.Near > 0.7, $"Langevin samples near a mode: {r.Near}");
        Assert.All(r.ModeShares, s => Assert.InRange(s, 0.1, 0.4));
    }

    [Fact]
    public void Diffusion_schedule_annealed_langevin_and_ddpm_recover_the_mixture_weights_and_sample_digits()
    {
        // the schedule [Update] reads the β it has just assigned: ᾱ_t = Π (1 − β_s), σ_0 = 0, the skip starts at √(1 − ᾱ_t)
        var model = new global::Samples.Diffusion.PointDiffusion(seed: 1);
        model.SetSchedule(0.01f, 0.002f);
        float[] Buffer(string name) => model.Buffers.Single(b => b.Key == "ddpm." + name).Value.Data;
        var alphaBar = Buffer("alphaBar");
        double product = 1;
        for (int t = 0; t < global::Samples.Diffusion.PointDiffusion.Steps; t++)
        {
            product *= 1 - (0.01 + 0.002 * t);
            Assert.Equal(product, alphaBar[t], 4);
            Assert.Equal(Math.Sqrt(1 - product), model.Parameters["ddpm.skip"].Value.Data[t], 4);
        }
        Assert.Equal(0f, Buffer("sigma")[0]);
        Assert.Equal(Math.Sqrt((0.01 + 0.002 * 5) * (1 - alphaBar[4]) / (1 - alphaBar[5])), Buffer("sigma")[5], 4);

        var points = global::Samples.Diffusion.Points.Run(epochs: 80);
        Assert.True(points.Annealed.Near > 0.8 && points.Annealed.TotalVariation < 0.15, $"annealed: near {points.Annealed.Near}, TV {points.Annealed.TotalVariation}");
        // one level finds the modes but not their weights: chains stay in the quadrant they start in
        Assert.True(points.SingleLevel.TotalVariation > points.Annealed.TotalVariation + 0.05, $"single level TV {points.SingleLevel.TotalVariation}");
        Assert.True(points.Ddpm.Near > 0.6 && points.Ddpm.TotalVariation < 0.15, $"DDPM: near {points.Ddpm.Near}, TV {points.Ddpm.TotalVariation}");
        Assert.True(points.DdpmLoss[^1] < points.DdpmLoss[0] && points.ScoreLoss[^1] < points.ScoreLoss[0]);

        var digits = global::Samples.Diffusion.Digits.Run(epochs: 3, count: 300);
        Assert.True(digits.Samples.Frechet < digits.Untrained.Frechet / 2, $"Fréchet distance {digits.Samples.Frechet} vs untrained {digits.Untrained.Frechet}");
        Assert.True(digits.Training.Frechet < digits.Samples.Frechet, $"training digits {digits.Training.Frechet}");
        Assert.True(digits.Loss[^1] < digits.Loss[0]);
    }

    [Fact]
    public void Gmm_em_on_iris_matches_scikit_learn()
    {
        // scikit-learn 1.2.1 GaussianMixture(3, full, the same initial means, equal weights, identity covariances,
        // reg_covar 1e-6) on iris (reference/gmm_iris.py): average log-likelihood -1.2012365172862398, weights
        // 0.333333, 0.299196, 0.367471.
        var r = global::Samples.Gmm.Sample.Run();
        Assert.True(Math.Abs(r.Final - -1.2012365172862398) < 1e-4, $"average log-likelihood {r.Final}");
        double[] weights = { 0.333333, 0.299196, 0.367471 };
        for (int k = 0; k < 3; k++) Assert.Equal(weights[k], r.Weights[k], 3);
        for (int i = 1; i < r.LogLikelihood.Length; i++) // EM never lowers the likelihood
            Assert.True(r.LogLikelihood[i] >= r.LogLikelihood[i - 1] - 1e-5, $"iteration {i}: {r.LogLikelihood[i - 1]} → {r.LogLikelihood[i]}");
    }

    [Fact]
    public void Matrix_factorization_by_sgd_and_als_recovers_held_out_ratings()
    {
        var r = global::Samples.MatrixFactorization.Sample.Run(epochs: 25, sweeps: 6);
        for (int s = 1; s < r.AlsObjective.Length; s++) // each ALS half-step is an exact minimization: the objective never rises
            Assert.True(r.AlsObjective[s] <= r.AlsObjective[s - 1] * (1 + 1e-5), $"sweep {s}: {r.AlsObjective[s - 1]} → {r.AlsObjective[s]}");
        Assert.True(r.AlsTestRmse[^1] < 0.25, $"ALS test RMSE {r.AlsTestRmse[^1]} (noise {r.Noise})");
        Assert.True(r.SgdTestRmse[^1] < 0.6 * r.SgdTestRmse[0], $"SGD test RMSE {r.SgdTestRmse[0]} → {r.SgdTestRmse[^1]}");
    }
}
