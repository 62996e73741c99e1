using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessRyw.Docs.Tests;

/// <summary>A fenced code block of a Markdown file, with the marker comment on the line before it, if any.</summary>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Language">The info string's first word, lower case ("" when there is none).</param>
/// <param name="Marker">The text of an HTML comment on the last non-blank line before the fence, or null.</param>
/// <param name="Content">The lines between the fences, joined with '\n'.</param>
internal sealed record CodeBlock(string File, int Line, string Language, string? Marker, string Content)
{
    public bool IsCSharp => Language is "csharp" or "cs" or "c#";
}

/// <summary>A relative link of a Markdown file.</summary>
internal sealed record MarkdownLink(string File, int Line, string Target);

/// <summary>The little Markdown these tests need: fenced blocks, headings (GitHub anchors), inline links.</summary>
internal static partial class Markdown
{
    /// <summary>The Markdown files under test, relative to <paramref name="root"/>: README.md and docs/*.md.</summary>
    public static IReadOnlyList<string> Files(string root)
    {
        var files = new List<string> { "README.md" };
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            files.AddRange(Directory.GetFiles(docs, "*.md")
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Order(StringComparer.Ordinal));
        }

        return files;
    }

    public static string[] ReadLines(string root, string file) =>
        File.ReadAllText(Path.Combine(root, file)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    public static IReadOnlyList<CodeBlock> CodeBlocks(string root, string file)
    {
        var lines = ReadLines(root, file);
        var blocks = new List<CodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var fence = open.Groups["fence"].Value;
            var language = new string(open.Groups["info"].Value.Trim().Split(' ', 2)[0].Select(char.ToLowerInvariant).ToArray());
            var start = i;
            var content = new List<string>();
            for (i++; i < lines.Length && !IsClosingFence(lines[i], fence); i++)
            {
                content.Add(lines[i]);
            }

            blocks.Add(new CodeBlock(file, start + 1, language, MarkerBefore(lines, start), string.Join('\n', content)));
        }

        return blocks;
    }

    /// <summary>Lines outside fenced code blocks, with their 1-based numbers.</summary>
    public static IEnumerable<(int Line, string Text)> ProseLines(string[] lines)
    {
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (fence is null)
            {
                var open = Fence().Match(lines[i]);
                if (open.Success)
                {
                    fence = open.Groups["fence"].Value;
                    continue;
                }

                yield return (i + 1, lines[i]);
            }
            else if (IsClosingFence(lines[i], fence))
            {
                fence = null;
            }
        }
    }

    /// <summary>The GitHub anchors of a file's headings, duplicates numbered as GitHub numbers them.</summary>
    public static IReadOnlySet<string> Anchors(string[] lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, text) in ProseLines(lines))
        {
            var heading = Heading().Match(text);
            if (!heading.Success)
            {
                continue;
            }

            var slug = Slug(heading.Groups["text"].Value);
            counts.TryGetValue(slug, out var seen);
            counts[slug] = seen + 1;
            anchors.Add(seen == 0 ? slug : $"{slug}-{seen}");
        }

        return anchors;
    }

    /// <summary>GitHub's heading slug: the rendered text, lower case, punctuation dropped, spaces to hyphens.</summary>
    public static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading.Trim(), "${text}");
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '_' or '-')
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>Links that point into the repository: no scheme, not protocol-relative.</summary>
    public static IEnumerable<MarkdownLink> RelativeLinks(string root, string file)
    {
        foreach (var (line, text) in ProseLines(ReadLines(root, file)))
        {
            var prose = CodeSpan().Replace(text, "");
            foreach (Match link in InlineLink().Matches(prose))
            {
                var target = link.Groups["target"].Value.Trim();
                if (target.Length == 0 || Scheme().IsMatch(target) || target.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                yield return new MarkdownLink(file, line, target);
            }
        }
    }

    private static string? MarkerBefore(string[] lines, int fenceIndex)
    {
        for (var j = fenceIndex - 1; j >= 0; j--)
        {
            var line = lines[j].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var comment = Comment().Match(line);
            return comment.Success ? comment.Groups["text"].Value.Trim() : null;
        }

        return null;
    }

    private static bool IsClosingFence(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^<!--(?<text>.*)-->$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\((?<target>[^)\s]*)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+?\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();
}
