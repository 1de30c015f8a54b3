using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace GraphNet.Tests.Fuzz;

/// <summary>A mutated seed: where it came from, what was done to it, and the result.</summary>
public sealed record Mutant(int Index, string SeedName, IReadOnlyList<string> Mutations, string Source);

/// <summary>
/// Makes mutant number <c>index</c> of a run: picks a seed and applies one to three mutation operators, chosen by
/// weight. The same seeds, run seed and index give the same mutant in every process.
/// </summary>
public sealed class Mutator(IReadOnlyList<Seed> seeds, int runSeed)
{
    private sealed record Operator(string Name, int Weight, Func<MutationSite, Edit?> Apply);

    private static readonly Operator[] Operators =
    [
        new("delete-token", 10, Mutations.DeleteToken),
        new("swap-tokens", 6, Mutations.SwapTokens),
        new("number", 8, Mutations.ReplaceNumber),
        new("dim-name", 8, Mutations.ChangeDim),
        new("rename-op", 8, Mutations.RenameOp),
        new("rename-identifier", 5, Mutations.RenameIdentifier),
        new("remove-attribute", 5, Mutations.RemoveAttribute),
        new("duplicate", 5, Mutations.Duplicate),
        new("unsupported", 9, Mutations.InsertUnsupported),
        new("return-type", 4, Mutations.ChangeReturnType),
        new("modifier", 6, Mutations.ChangeModifier),
        new("wrap", 5, Mutations.Wrap),
        new("collide", 6, Mutations.AddCollidingMember),
        new("ref-parameter", 3, Mutations.RefParameter),
        new("overload", 3, Mutations.Overload),
        new("stress", 2, StressMembers.Add),
    ];

    private static readonly int TotalWeight = Operators.Sum(o => o.Weight);

    private const int AttemptsPerMutation = 12;

    public Mutant Create(int index)
    {
        var rng = new Random(unchecked(runSeed * 1_000_003 + index));
        var seed = seeds[rng.Next(seeds.Count)];
        int count = rng.NextDouble() switch { < 0.6 => 1, < 0.85 => 2, _ => 3 };
        var source = seed.Source;
        var applied = new List<string>();
        for (int i = 0; i < count; i++)
        {
            // An operator with nothing to act on (no numbers, no second method) gives way to another draw.
            for (int attempt = 0; attempt < AttemptsPerMutation; attempt++)
            {
                var op = Pick(rng);
                var site = new MutationSite(CSharpSyntaxTree.ParseText(source, FuzzOracle.ParseOptions), rng);
                if (op.Apply(site) is not { } edit) continue;
                source = edit.Source;
                applied.Add($"{op.Name}: {edit.Description}");
                break;
            }
        }
        return new Mutant(index, seed.Name, applied, source);
    }

    private static Operator Pick(Random rng)
    {
        int r = rng.Next(TotalWeight);
        foreach (var op in Operators)
        {
            if (r < op.Weight) return op;
            r -= op.Weight;
        }
        throw new InvalidOperationException("unreachable: weights sum to TotalWeight");
    }
}
