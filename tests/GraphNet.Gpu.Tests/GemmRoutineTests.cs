using GraphNet.Gpu;
using Xunit;

namespace GraphNet.Gpu.Tests;

/// <summary>The device GEMM routines (tiled, for GPUs, and one thread per element) against the CPU backend's packed GEMM, transposes and batches included.</summary>
public class GemmRoutineTests
{
    private sealed class Runner(GpuDevice d) : DeviceModel(d, 0)
    {
        public float[] MatMul(bool transA, bool transB, int batch, float[] a, float[] b, int m, int n, int k, bool? tiled)
        {
            long sa = (long)batch * m * k, sb = (long)batch * k * n, sc = (long)batch * m * n;
            EnsureWork(sa + sb + sc);
            Upload(a, WorkStart, sa);
            Upload(b, WorkStart + sa, sb);
            Device.Gemm(Memory, batch, m, n, k, transA, transB, WorkStart, WorkStart + sa, WorkStart + sa + sb, tiled);
            Finish("gemm");
            var c = new float[sc];
            Download(WorkStart + sa + sb, c, sc);
            return c;
        }

        public float[] Solve(float[] a, float[] b, int n)
        {
            EnsureWork(2L * n * n + 2L * n);
            Upload(a, WorkStart, n * n);
            Upload(b, WorkStart + n * n, n);
            Solve(false, 1, n, 1, WorkStart, WorkStart + n * n, WorkStart + n * n + n, WorkStart + n * n + 2 * n);
            Finish("solve");
            var x = new float[n];
            Download(WorkStart + n * n + n, x, n);
            return x;
        }
    }

    [Fact]
    public void Device_solve_solves_and_a_singular_matrix_is_an_error_naming_it()
    {
        using var device = GpuDevice.CpuAccelerator();
        using var runner = new Runner(device);
        var x = runner.Solve(new float[] { 0, 2, 1, 1 }, new float[] { 4, 3 }, 2); // needs a pivot swap
        Assert.Equal(new[] { 1f, 2f }, x);
        var error = Assert.Throws<System.ArithmeticException>(() => runner.Solve(new float[] { 1, 2, 2, 4 }, new float[] { 1, 1 }, 2));
        Assert.Contains("matrix 0", error.Message);
        Assert.Equal(new[] { 1f, 2f }, runner.Solve(new float[] { 0, 2, 1, 1 }, new float[] { 4, 3 }, 2)); // the error cell was cleared
    }

    [Theory]
    [InlineData(false, false, 1, 5, 64, 784, true)]
    [InlineData(true, false, 2, 7, 3, 9, true)]
    [InlineData(false, true, 3, 4, 10, 32, true)]
    [InlineData(true, true, 1, 17, 33, 5, true)]
    [InlineData(false, false, 1, 5, 64, 784, false)]
    [InlineData(true, true, 2, 17, 33, 5, false)]
    public void Device_gemm_matches_the_cpu_gemm(bool transA, bool transB, int batch, int m, int n, int k, bool tiled)
    {
        using var device = GpuDevice.CpuAccelerator();
        using var runner = new Runner(device);
        var a = new float[batch * m * k];
        var b = new float[batch * k * n];
        new Rng(1, 1).FillNormal(a, 0, 1);
        new Rng(1, 2).FillNormal(b, 0, 1);
        var expected = new float[batch * m * n];
        GraphNet.Runtime.Gemm.MatMul(transA, transB, batch, m, n, k, a, b, expected);
        var got = runner.MatMul(transA, transB, batch, a, b, m, n, k, tiled);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(System.Math.Abs(expected[i] - got[i]) < 1e-4 * (1 + System.Math.Abs(expected[i])), $"element {i}: CPU {expected[i]}, device {got[i]}");
    }

    [Fact]
    public void CuBlas_is_only_tried_on_cuda_devices_and_the_own_kernel_serves_elsewhere()
    {
        using var device = GpuDevice.CpuAccelerator();
        using var runner = new Runner(device);
        Assert.Null(device.CuBlasUnavailable); // nothing asked yet
        var c = runner.MatMul(false, false, 1, new float[] { 1, 2 }, new float[] { 3, 4 }, 1, 1, 2, tiled: null);
        Assert.Equal(new[] { 11f }, c);
        Assert.Equal("not a CUDA device", device.CuBlasUnavailable);
    }
}
