using System.Threading.Channels;

namespace ServerlessRyw.Cli.Demo;

/// <summary>
/// An in-process stand-in for a storage queue: message bodies are plain strings, so the token travels inside the
/// body exactly as it would on Azure Storage queues (<see cref="ServerlessRyw.Propagation.RywQueueEnvelope"/>).
/// </summary>
internal sealed class DemoQueue
{
    private readonly Channel<string> _messages = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });

    public ChannelReader<string> Reader => _messages.Reader;

    public void Send(string body)
    {
        if (!_messages.Writer.TryWrite(body))
        {
            throw new InvalidOperationException("The demo queue is closed.");
        }
    }

    public void Close() => _messages.Writer.TryComplete();
}
