namespace ServerlessRyw.LocalRedis;

/// <summary>Keeps the last lines a child process printed, so failures can show them without unbounded memory.</summary>
internal sealed class BoundedLog
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;

    public BoundedLog(int capacity) => _capacity = capacity;

    public void Add(string line)
    {
        lock (_gate)
        {
            if (_lines.Count == _capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _lines.Clear();
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    public bool Contains(string text)
    {
        lock (_gate)
        {
            return _lines.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }
}
