#pragma warning disable CS1591 // members called by generated code; see the class summary

namespace GraphNet.Gpu;

/// <summary>
/// The arguments of every GraphNet kernel on a device, one struct so all kernels share one signature: integers
/// (bound dims, element offsets into the device memory, flags), two longs (a random draw's counters) and a float.
/// Each generated kernel's comment says what its fields hold; the generator keeps an entry on the host when a fused kernel
/// would need more than the 48 integers here. Filled by generated code; not part of the user-facing API.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public struct KernelArgs
{
    public int A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17, A18, A19, A20, A21, A22, A23,
        A24, A25, A26, A27, A28, A29, A30, A31, A32, A33, A34, A35, A36, A37, A38, A39, A40, A41, A42, A43, A44, A45, A46, A47;
    public long L0, L1;
    public float F0;
}
