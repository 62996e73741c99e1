namespace ServerlessRyw.Docs.Tests;

/// <summary>Every relative link of README.md and docs/*.md names a file or folder that exists, and an anchor that one of its headings makes.</summary>
public sealed class DocsLinksUnitTests
{
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void RelativeLinks_ResolveToFilesAndAnchors()
    {
        var problems = new List<string>();
        var links = 0;
        foreach (var file in Markdown.Files(Root))
        {
            foreach (var link in Markdown.RelativeLinks(Root, file))
            {
                links++;
                var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? link.Target : link.Target[..hash];
                var anchor = hash < 0 ? null : Uri.UnescapeDataString(link.Target[(hash + 1)..]);
                var target = path.Length == 0
                    ? file
                    : Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(Root, Path.GetDirectoryName(file) ?? "", Uri.UnescapeDataString(path)))).Replace('\\', '/');
                var full = Path.Combine(Root, target);
                if (target.StartsWith("..", StringComparison.Ordinal))
                {
                    problems.Add($"{link.File}:{link.Line}: ({link.Target}) points outside the repository");
                }
                else if (!File.Exists(full) && !Directory.Exists(full))
                {
                    problems.Add($"{link.File}:{link.Line}: ({link.Target}) names {target}, which does not exist");
                }
                else if (anchor is not null)
                {
                    if (!target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(full))
                    {
                        problems.Add($"{link.File}:{link.Line}: ({link.Target}) has an anchor, but {target} is not a Markdown file");
                    }
                    else if (!Markdown.Anchors(Markdown.ReadLines(Root, target)).Contains(anchor))
                    {
                        problems.Add($"{link.File}:{link.Line}: ({link.Target}): {target} has no heading whose anchor is #{anchor}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(links > 0, "no relative link found: is the repository root right?");
    }
}
