using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using GraphNet.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GraphNet.Tests;

/// <summary>Compiles generated C# in memory (Roslyn) and loads it, so tests can run emitted kernels.</summary>
public static class Harness
{
    /// <summary>The framework, the runtime, the compiler core and the layers; with <paramref name="gpu"/> also GraphNet.Gpu and ILGPU (so the generator emits device runners).</summary>
    public static IEnumerable<MetadataReference> References(bool gpu = false)
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Concat(new[] { typeof(Tensor).Assembly.Location, typeof(GraphBuilder).Assembly.Location, typeof(GraphNet.Layers.Linear).Assembly.Location })
            .Concat(gpu ? new[] { typeof(GraphNet.Gpu.GpuDevice).Assembly.Location, typeof(ILGPU.Context).Assembly.Location, typeof(ILGPU.Algorithms.XMath).Assembly.Location } : Array.Empty<string>())
            .Distinct()
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    public static Assembly Compile(string name, params string[] sources) => Compile(name, false, sources);

    public static Assembly Compile(string name, bool gpu, params string[] sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Preview)));
        var comp = CSharpCompilation.Create(name, trees, References(gpu),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                optimizationLevel: OptimizationLevel.Release, allowUnsafe: true));
        using var ms = new MemoryStream();
        var result = comp.Emit(ms);
        if (!result.Success)
        {
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10);
            throw new InvalidOperationException("Generated code does not compile:\n" + string.Join("\n", errors) + "\n\n" + sources[0]);
        }
        return Assembly.Load(ms.ToArray());
    }
}
