using System.Text.RegularExpressions;

namespace ServerlessRyw.Docs.Tests;

/// <summary>A <c>#region NAME</c> … <c>#endregion</c> of a snippet file, its text dedented.</summary>
/// <param name="Name">The region's name.</param>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of <c>#region</c>.</param>
/// <param name="Text">The lines between the directives, common indentation removed, joined with '\n'.</param>
internal sealed record SnippetRegion(string Name, string File, int Line, string Text);

internal static partial class SnippetRegions
{
    public const string Folder = "tests/ServerlessRyw.Docs.Tests/Snippets";

    /// <summary>Every region of <see cref="Folder"/>, and the problems found reading them (nesting, duplicates).</summary>
    public static (IReadOnlyDictionary<string, SnippetRegion> Regions, IReadOnlyList<string> Problems) Read(string root)
    {
        var regions = new Dictionary<string, SnippetRegion>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(root, Folder), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var file = Path.GetRelativePath(root, path).Replace('\\', '/');
            var lines = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            (string Name, int Line, List<string> Body)? open = null;
            for (var i = 0; i < lines.Length; i++)
            {
                var start = RegionStart().Match(lines[i]);
                if (start.Success)
                {
                    if (open is { } outer)
                    {
                        problems.Add($"{file}:{i + 1}: #region {start.Groups["name"].Value} is nested in #region {outer.Name} (line {outer.Line}); snippets do not nest");
                    }

                    open = (start.Groups["name"].Value.Trim(), i + 1, []);
                    continue;
                }

                if (RegionEnd().IsMatch(lines[i]))
                {
                    if (open is { } region)
                    {
                        if (regions.TryGetValue(region.Name, out var first))
                        {
                            problems.Add($"{file}:{region.Line}: #region {region.Name} is already defined at {first.File}:{first.Line}");
                        }
                        else
                        {
                            regions.Add(region.Name, new SnippetRegion(region.Name, file, region.Line, Dedent(region.Body)));
                        }
                    }

                    open = null;
                    continue;
                }

                open?.Body.Add(lines[i]);
            }

            if (open is { } unclosed)
            {
                problems.Add($"{file}:{unclosed.Line}: #region {unclosed.Name} has no #endregion");
            }
        }

        return (regions, problems);
    }

    /// <summary>Removes the indentation every non-blank line shares; blank lines become empty; trailing spaces go.</summary>
    public static string Dedent(IReadOnlyList<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ').Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Trim().Length == 0 ? "" : l[indent..].TrimEnd()));
    }

    [GeneratedRegex(@"^\s*#region\s+(?<name>\S.*?)\s*$")]
    private static partial Regex RegionStart();

    [GeneratedRegex(@"^\s*#endregion\b")]
    private static partial Regex RegionEnd();
}
