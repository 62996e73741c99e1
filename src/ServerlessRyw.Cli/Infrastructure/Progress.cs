namespace ServerlessRyw.Cli.Infrastructure;

/// <summary>
/// Progress on standard error, so standard output stays the report: an updating line on a terminal, one line per
/// step when redirected (CI logs).
/// </summary>
internal sealed class Progress(TextWriter writer, bool interactive)
{
    private int _lastLength;

    public static Progress ForConsole() => new(Console.Error, !Console.IsErrorRedirected);

    /// <summary>Whether updates replace each other on a terminal (callers may report more often then).</summary>
    public bool IsInteractive => interactive;

    /// <summary>Shows a step that the next <see cref="Update"/> replaces.</summary>
    public void Update(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!interactive)
        {
            writer.WriteLine(message);
            return;
        }

        var padding = Math.Max(0, _lastLength - message.Length);
        writer.Write("\r" + message + new string(' ', padding));
        _lastLength = message.Length;
    }

    /// <summary>Shows a line that stays.</summary>
    public void Line(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Clear();
        writer.WriteLine(message);
    }

    /// <summary>Removes the updating line, if any.</summary>
    public void Clear()
    {
        if (interactive && _lastLength > 0)
        {
            writer.Write("\r" + new string(' ', _lastLength) + "\r");
            _lastLength = 0;
        }
    }
}
