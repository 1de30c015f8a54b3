namespace GraphNet.Generators;

/// <summary>Names of the generator's pipeline steps; incrementality tests use the same names.</summary>
public static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Compile = nameof(Compile);
    public const string Source = nameof(Source);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Module = nameof(Module);
}
