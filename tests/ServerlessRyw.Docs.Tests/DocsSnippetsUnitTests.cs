namespace ServerlessRyw.Docs.Tests;

/// <summary>
/// Every C# block of README.md and docs/*.md is a region of Snippets/*.cs (which compile against the real packages),
/// or one of README's package-check blocks (which build/check-packages.sh compiles as a consumer app).
/// </summary>
public sealed class DocsSnippetsUnitTests
{
    private const string SnippetMarker = "snippet:";
    private const string PackageCheckMarker = "package-check:";

    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void EveryCSharpBlock_IsACompiledSnippetOrAPackageCheck()
    {
        var (regions, _) = SnippetRegions.Read(Root);
        var problems = new List<string>();
        var checkedBlocks = 0;
        foreach (var file in Markdown.Files(Root))
        {
            foreach (var block in Markdown.CodeBlocks(Root, file))
            {
                var name = MarkedName(block.Marker, SnippetMarker);
                if (!block.IsCSharp)
                {
                    if (name is not null)
                    {
                        problems.Add($"{block.File}:{block.Line}: <!-- snippet: {name} --> precedes a '{block.Language}' block; snippets are C# (```csharp)");
                    }

                    continue;
                }

                checkedBlocks++;
                if (MarkedName(block.Marker, PackageCheckMarker) is not null)
                {
                    if (file != "README.md")
                    {
                        problems.Add($"{block.File}:{block.Line}: package-check blocks belong in README.md, where build/check-packages.sh reads them");
                    }

                    continue;
                }

                if (name is null)
                {
                    problems.Add($"{block.File}:{block.Line}: a C# block without <!-- snippet: NAME --> on the line before it; put the code in {SnippetRegions.Folder}/*.cs inside #region NAME and mark the block");
                }
                else if (!regions.TryGetValue(name, out var region))
                {
                    problems.Add($"{block.File}:{block.Line}: <!-- snippet: {name} --> names no region in {SnippetRegions.Folder}");
                }
                else if (Difference(region.Text, block.Content) is { } difference)
                {
                    problems.Add($"{block.File}:{block.Line}: the block differs from #region {name} ({region.File}:{region.Line}): {difference}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(checkedBlocks > 0, "no C# block found: is the repository root right?");
    }

    [Fact]
    public void EverySnippetRegion_IsUsedByADocument()
    {
        var (regions, problems) = SnippetRegions.Read(Root);
        var used = Markdown.Files(Root)
            .SelectMany(file => Markdown.CodeBlocks(Root, file))
            .Select(block => MarkedName(block.Marker, SnippetMarker))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var unused = regions.Values
            .Where(region => !used.Contains(region.Name))
            .Select(region => $"{region.File}:{region.Line}: #region {region.Name} is used by no <!-- snippet: {region.Name} --> block in README.md or docs/*.md");

        var all = problems.Concat(unused).ToList();
        Assert.True(all.Count == 0, string.Join('\n', all));
        Assert.NotEmpty(regions);
    }

    [Theory]
    [InlineData("See it in one command: `ryw demo`", "see-it-in-one-command-ryw-demo")]
    [InlineData("Azure Functions (isolated worker)", "azure-functions-isolated-worker")]
    [InlineData("Slot migration, resharding and failover", "slot-migration-resharding-and-failover")]
    [InlineData("What the host tests prove (`tests/ServerlessRyw.Functions.Host.Tests`)", "what-the-host-tests-prove-testsserverlessrywfunctionshosttests")]
    [InlineData("HTTP: ASP.NET Core", "http-aspnet-core")]
    [InlineData("Routing and [tokens](x.md)", "routing-and-tokens")]
    public void Slug_IsGitHubs(string heading, string anchor) => Assert.Equal(anchor, Markdown.Slug(heading));

    [Fact]
    public void Anchors_NumberDuplicateHeadings()
    {
        var anchors = Markdown.Anchors(["# The token", "", "```sh", "# not a heading", "```", "## The token", "### The token"]);
        Assert.Equal(["the-token", "the-token-1", "the-token-2"], anchors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dedent_RemovesTheSharedIndentation()
    {
        Assert.Equal("a\n    b\n\nc", SnippetRegions.Dedent(["        a", "            b", "   ", "        c  "]));
    }

    private static string? MarkedName(string? marker, string kind) =>
        marker is not null && marker.StartsWith(kind, StringComparison.Ordinal) ? marker[kind.Length..].Trim() : null;

    private static string? Difference(string expected, string actual)
    {
        var want = expected.Split('\n');
        var got = actual.Split('\n');
        for (var i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            var w = i < want.Length ? want[i] : "<end of region>";
            var g = i < got.Length ? got[i].TrimEnd() : "<end of block>";
            if (w != g)
            {
                return $"line {i + 1} of the block is\n    {g}\n  but the region has\n    {w}";
            }
        }

        return null;
    }
}
