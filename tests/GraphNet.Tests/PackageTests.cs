using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace GraphNet.Tests;

/// <summary>
/// The user's path: the GraphNet package packed into a local folder, a fresh console project outside the repository
/// that adds it (and nothing else) declares a model, builds, and trains it for a few steps.
/// </summary>
public class PackageTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GraphNet.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("GraphNet.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    private static (int Code, string Output) Dotnet(string workingDirectory, IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        // the test host's MSBuild settings are not the child's; no build servers outlive the test
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_HOST_PATH", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) { p.Kill(entireProcessTree: true); return (-1, "timed out\n" + stdout.Result + stderr.Result); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void The_package_alone_makes_a_model_build_and_train_in_a_fresh_project()
    {
        string root = RepoRoot(), work = Path.Combine(Path.GetTempPath(), "graphnet-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };
        try
        {
            // the repository's build is done (the test runs from it): pack its outputs
            var (code, output) = Dotnet(root, env, "pack", Path.Combine("src", "Package", "GraphNet.Package.csproj"), "-c", Configuration, "--no-build", "-o", feed);
            Assert.True(code == 0, "dotnet pack failed:\n" + output);
            string package = Path.Combine(feed, "GraphNet.0.1.0.nupkg");
            Assert.True(File.Exists(package), "no package in " + feed + ":\n" + output);
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
                foreach (var expected in new[] { "lib/net10.0/GraphNet.Runtime.dll", "lib/net10.0/GraphNet.Runtime.xml", "lib/net10.0/GraphNet.Layers.dll",
                    "lib/net10.0/GraphNet.Layers.xml", "lib/net10.0/GraphNet.Graph.dll", "analyzers/dotnet/cs/GraphNet.Generators.dll",
                    "analyzers/dotnet/cs/GraphNet.Graph.dll", "README.md" })
                    Assert.Contains(expected, entries);
                Assert.DoesNotContain(entries, e => e.Contains("ILGPU", StringComparison.OrdinalIgnoreCase)); // the CPU package carries no GPU runtime
            }

            WriteProject(app, feed, clearSources: true, "GraphNet");
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using System;
                using GraphNet;
                using GraphNet.Layers;
                using static GraphNet.Ops;

                // y = 2·x₀ − x₁ + 0.5, learned by a linear layer from the package's layer library
                var x = new Tensor(64, 2);
                var y = new Tensor(64, 1);
                var rng = new Rng(1, 0);
                for (int i = 0; i < 64; i++)
                {
                    x.Data[2 * i] = rng.Normal((ulong)(2 * i));
                    x.Data[2 * i + 1] = rng.Normal((ulong)(2 * i + 1));
                    y.Data[i] = 2 * x.Data[2 * i] - x.Data[2 * i + 1] + 0.5f;
                }
                var model = new Fit(seed: 1);
                var opt = new Adam(0.05f);
                float first = model.Step(x, y, opt), last = first;
                for (int s = 0; s < 200; s++) last = model.Step(x, y, opt);
                Console.WriteLine(FormattableString.Invariant($"loss {first:F4} -> {last:F4}"));
                return last < 0.01f * first ? 0 : 1;

                [Model]
                public partial class Fit
                {
                    Linear layer = new(2, 1);

                    public Tensor Loss([Shape("B", 2)] Tensor x, [Shape("B", 1)] Tensor y) => Mse(layer.Forward(x), y);

                    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
                }
                """);
            (code, output) = Dotnet(app, env, "build", "-c", "Release", "-p:UseSharedCompilation=false", "-nodeReuse:false");
            Assert.True(code == 0, "the fresh project does not build:\n" + output);
            (code, output) = Dotnet(app, env, Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
            Assert.True(code == 0, "the fresh project did not train:\n" + output);
            Assert.Contains("loss ", output);

            // the package's README example, as written, in the same project
            string readme = File.ReadAllText(Path.Combine(root, "src", "Package", "Package.md"));
            int open = readme.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
            File.WriteAllText(Path.Combine(app, "Program.cs"), readme[open..readme.IndexOf("```", open, StringComparison.Ordinal)]);
            (code, output) = Dotnet(app, env, "build", "-c", "Release", "-p:UseSharedCompilation=false", "-nodeReuse:false");
            Assert.True(code == 0, "the package README's example does not build:\n" + output);
            (code, output) = Dotnet(app, env, Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
            Assert.True(code == 0 && output.Contains("loss 0.0", StringComparison.Ordinal), "the package README's example did not fit:\n" + output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A console project in <paramref name="app"/> that references <paramref name="packages"/> (version 0.1.0) from the local feed.</summary>
    private static void WriteProject(string app, string feed, bool clearSources, params string[] packages)
    {
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                {(clearSources ? "<clear />" : "")}
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                {string.Concat(packages.Select(p => $"<PackageReference Include=\"{p}\" Version=\"0.1.0\" />"))}
              </ItemGroup>
            </Project>
            """);
    }

    [Fact]
    public void The_gpu_and_console_packages_train_on_a_device_and_plot_in_a_fresh_project()
    {
        string root = RepoRoot(), work = Path.Combine(Path.GetTempPath(), "graphnet-packages-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };
        try
        {
            foreach (var project in new[] { "GraphNet.Package.csproj", Path.Combine("Gpu", "GraphNet.Gpu.Package.csproj"), Path.Combine("Console", "GraphNet.Console.Package.csproj") })
            {
                var (packed, log) = Dotnet(root, env, "pack", Path.Combine("src", "Package", project), "-c", Configuration, "--no-build", "-o", feed);
                Assert.True(packed == 0, $"dotnet pack {project} failed:\n{log}");
            }
            foreach (var (id, dll, dependencies) in new[] { ("GraphNet.Gpu", "GraphNet.Gpu.dll", new[] { "GraphNet", "ILGPU", "ILGPU.Algorithms" }), ("GraphNet.Console", "GraphNet.Console.dll", new[] { "GraphNet", "Spectre.Console", "ScottPlot" }) })
            {
                using var zip = ZipFile.OpenRead(Path.Combine(feed, id + ".0.1.0.nupkg"));
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
                foreach (var file in new[] { dll, Path.ChangeExtension(dll, ".xml") }) // the assembly and its XML documentation
                    Assert.Contains("lib/net10.0/" + file, entries);
                Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith("GraphNet.Runtime.dll", StringComparison.Ordinal)); // that is GraphNet's
                using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                string text = nuspec.ReadToEnd();
                foreach (var d in dependencies) Assert.Contains($"id=\"{d}\"", text);
            }

            // ILGPU, ScottPlot and Spectre.Console come from the configured sources, GraphNet's packages from the local feed
            WriteProject(app, feed, clearSources: false, "GraphNet.Gpu", "GraphNet.Console");
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using System;
                using System.IO;
                using GraphNet;
                using GraphNet.Gpu;
                using GraphNet.Layers;

                var x = new Tensor(32, 2);
                var y = new Tensor(32, 1);
                for (int i = 0; i < 32; i++) { x.Data[2 * i] = i % 7 - 3; x.Data[2 * i + 1] = i % 5 - 2; y.Data[i] = 2 * x.Data[2 * i] - x.Data[2 * i + 1] + 0.5f; }
                using var device = GpuDevice.CpuAccelerator();
                var model = new Fit(seed: 1);
                var onDevice = model.OnGpu(device);
                var opt = new Adam(0.1f);
                var log = new TrainingLog { XLabel = "step" };
                for (int s = 0; s < 150; s++) log.Add(s, "train loss", onDevice.Step(x, y, opt));
                log.Write("curve", "fit on " + device.Name);
                var loss = log.Points("train loss");
                Console.WriteLine(FormattableString.Invariant($"loss {loss[0].Value:F4} -> {loss[^1].Value:F4}, png {new FileInfo("curve.png").Length} bytes"));
                return loss[^1].Value < 0.01 * loss[0].Value ? 0 : 1;

                [Model]
                public partial class Fit
                {
                    Linear layer = new(2, 1);

                    public Tensor Loss([Shape("B", 2)] Tensor x, [Shape("B", 1)] Tensor y) => Ops.Mse(layer.Forward(x), y);

                    [Train(nameof(Loss))] public partial float Step(Tensor x, Tensor y, Optimizer optimizer);
                }
                """);
            var (code, output) = Dotnet(app, env, "build", "-c", "Release", "-p:UseSharedCompilation=false", "-nodeReuse:false");
            Assert.True(code == 0, "the fresh project does not build:\n" + output);
            (code, output) = Dotnet(app, env, Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
            Assert.True(code == 0 && output.Contains("png ", StringComparison.Ordinal), "the fresh project did not train on the device and plot:\n" + output);
            Assert.True(File.Exists(Path.Combine(app, "curve.png")) && File.Exists(Path.Combine(app, "curve.svg")), output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public void The_dotnet_new_template_creates_a_project_that_trains_and_whose_test_passes()
    {
        string root = RepoRoot(), work = Path.Combine(Path.GetTempPath(), "graphnet-template-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), hive = Path.Combine(work, "hive"), demo = Path.Combine(work, "demo");
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };
        try
        {
            // the template's default GraphNet version is the one Directory.Build.props gives the assemblies
            string template = File.ReadAllText(Path.Combine(root, "templates", "graphnet-model", ".template.config", "template.json"));
            var version = typeof(Tensor).Assembly.GetName().Version!;
            Assert.Contains($"\"defaultValue\": \"{version.Major}.{version.Minor}.{version.Build}\"", template);

            foreach (var project in new[] { "Package", "Templates" })
            {
                var (packed, log) = Dotnet(root, env, "pack", Path.Combine("src", project), "-c", Configuration, "--no-build", "-o", feed);
                Assert.True(packed == 0, $"dotnet pack src/{project} failed:\n{log}");
            }
            var (code, output) = Dotnet(work, env, "new", "install", Path.Combine(feed, "GraphNet.Templates.0.1.0.nupkg"), "--debug:custom-hive", hive);
            Assert.True(code == 0, "dotnet new install failed:\n" + output);
            (code, output) = Dotnet(work, env, "new", "graphnet-model", "-n", "Demo", "-o", demo, "--debug:custom-hive", hive);
            Assert.True(code == 0, "dotnet new graphnet-model failed:\n" + output);
            Assert.True(File.Exists(Path.Combine(demo, "src", "Demo", "Demo.csproj")) && File.Exists(Path.Combine(demo, "tests", "Demo.Tests", "Demo.Tests.csproj")), output);
            Assert.Contains("namespace Demo;", File.ReadAllText(Path.Combine(demo, "src", "Demo", "Classifier.cs")));

            // the local feed beside the configured sources (the test project restores xunit from them)
            File.WriteAllText(Path.Combine(demo, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            (code, output) = Dotnet(demo, env, "test", Path.Combine("tests", "Demo.Tests"), "-p:UseSharedCompilation=false", "-nodeReuse:false");
            Assert.True(code == 0 && output.Contains("Passed!", StringComparison.Ordinal), "the template's test did not pass:\n" + output);
            (code, output) = Dotnet(demo, env, "run", "--project", Path.Combine("src", "Demo"), "-p:UseSharedCompilation=false");
            Assert.True(code == 0 && output.Contains("test accuracy", StringComparison.Ordinal), "the template's program did not run:\n" + output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
