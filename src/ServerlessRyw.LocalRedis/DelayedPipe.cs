using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Copies one direction of a proxied connection, delivering each chunk a fixed delay after it was received.
/// </summary>
/// <remarks>
/// A reader stamps every chunk with its due time and queues it; a separate writer sleeps until each chunk is due.
/// Because the delay is measured from arrival, not from the previous delivery, a steady stream is shifted by the
/// delay instead of being slowed down cumulatively, which is what a long network link does. The queue is
/// unbounded: the bytes in flight are the stream's rate times the delay, small for test traffic.
/// </remarks>
internal sealed class DelayedPipe
{
    private const int ChunkSize = 64 * 1024;

    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly Func<TimeSpan> _currentDelay;
    private readonly Channel<Chunk> _queue = Channel.CreateUnbounded<Chunk>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public DelayedPipe(Socket source, Socket destination, Func<TimeSpan> currentDelay)
    {
        _source = source;
        _destination = destination;
        _currentDelay = currentDelay;
    }

    /// <summary>Runs until the source closes and everything queued has been delivered, or until cancelled or a socket fails.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(ReceiveLoopAsync(cancellationToken), SendLoopAsync(cancellationToken));

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                int received = await _source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (received == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                long due = Stopwatch.GetTimestamp() + ToStopwatchTicks(_currentDelay());
                _queue.Writer.TryWrite(new Chunk(buffer, received, due));
            }

            _queue.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _queue.Writer.TryComplete(ex);
            throw;
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (Chunk chunk in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await WaitUntilAsync(chunk.Due, cancellationToken).ConfigureAwait(false);

            await SendAllAsync(chunk.Buffer.AsMemory(0, chunk.Length), cancellationToken).ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        // Pass the source's end of stream on, after the data that preceded it.
        _destination.Shutdown(SocketShutdown.Send);
    }

    private static async Task WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        // Timers count whole milliseconds and can fire up to 1 ms early: re-check so no chunk is ever delivered early.
        TimeSpan wait;
        while ((wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due)) > TimeSpan.Zero)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await _destination.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private static long ToStopwatchTicks(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? 0 : (long)(delay.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    private readonly record struct Chunk(byte[] Buffer, int Length, long Due);
}
