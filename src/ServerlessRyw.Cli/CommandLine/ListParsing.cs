using System.Globalization;

namespace ServerlessRyw.Cli.CommandLine;

/// <summary>Parses comma-separated option values such as <c>--lags 0,5,50,200</c>.</summary>
internal static class ListParsing
{
    public static bool TryParseIntegers(string? text, int min, int max, out int[] values, out string? error)
    {
        values = [];
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "expected a comma-separated list of numbers, e.g. 0,5,50";
            return false;
        }

        var parsed = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                error = $"'{part}' is not a whole number between {min} and {max}";
                return false;
            }

            if (!parsed.Contains(value))
            {
                parsed.Add(value);
            }
        }

        values = [.. parsed];
        return true;
    }

    public static bool TryParseModes(string? text, out Bench.BenchMode[] modes, out string? error)
    {
        modes = [];
        error = null;
        var parsed = new List<Bench.BenchMode>();
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Bench.BenchModes.TryParse(part, out var mode))
            {
                error = $"'{part}' is not a mode; use {string.Join(", ", Bench.BenchModes.All.Select(m => Bench.BenchModes.Name(m)))}";
                return false;
            }

            if (!parsed.Contains(mode))
            {
                parsed.Add(mode);
            }
        }

        if (parsed.Count == 0)
        {
            error = "expected at least one mode";
            return false;
        }

        // The report lists modes in their canonical order whatever order they were given in.
        modes = [.. parsed.Order()];
        return true;
    }
}
