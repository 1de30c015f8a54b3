using System;

namespace GraphNet;

/// <summary>
/// Keeps a model and its device runner coherent without a copy per call. The runner holds the parameters, buffers and
/// optimizer state on the device; whichever side last wrote them is the newer one. A call on the other side first
/// copies them over: a device entry after host writes uploads, a host entry (or a read of <c>Parameters</c> or
/// <c>Buffers</c>, which may write) after device writes downloads. A training loop that stays on the device copies
/// nothing but its batches; saving a checkpoint after it downloads once.
/// </summary>
public sealed class DeviceLink
{
    private readonly Action _toHost;
    private readonly Action _toDevice;
    private bool _deviceNewer;
    private bool _hostNewer = true; // a new runner's device memory holds nothing yet

    /// <param name="toHost">Copies the device's values into the host model's tensors.</param>
    /// <param name="toDevice">Copies the host model's values to the device.</param>
    public DeviceLink(Action toHost, Action toDevice)
    {
        _toHost = toHost ?? throw new ArgumentNullException(nameof(toHost));
        _toDevice = toDevice ?? throw new ArgumentNullException(nameof(toDevice));
    }

    /// <summary>Before the host reads (and, when <paramref name="writes"/>, changes) the model's values.</summary>
    public void OnHost(bool writes)
    {
        if (_deviceNewer) { _toHost(); _deviceNewer = false; }
        if (writes) _hostNewer = true;
    }

    /// <summary>Before the device reads (and, when <paramref name="writes"/>, changes) the model's values.</summary>
    public void OnDevice(bool writes)
    {
        if (_hostNewer) { _toDevice(); _hostNewer = false; }
        if (writes) _deviceNewer = true;
    }
}
