using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using ServerlessRyw.Functions.Host.Tests.Rpc;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

/// <summary>
/// The host's end of the worker's EventStream: one bidirectional gRPC stream that carries every request and response,
/// matched as the host matches them (init and metadata by arrival, loads by function id, invocations by invocation id).
/// </summary>
public sealed class WorkerConnection : FunctionRpc.FunctionRpcBase
{
    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<RpcLog> _logs = new();

    /// <summary>Completes when the worker has opened the stream and said who it is.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Every log line the worker sent over the stream (the host forwards these to its own logging).</summary>
    public IReadOnlyCollection<RpcLog> Logs => _logs;

    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        var writer = Task.Run(async () =>
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(message);
            }
        });

        try
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                Dispatch(message);
            }
        }
        catch (OperationCanceledException)
        {
            // The worker went away (or the host stopped): pending requests fail below.
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("The worker closed its stream."));
            }

            _outgoing.Writer.TryComplete();
        }

        await writer.ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>Sends a request and waits for the response that carries <paramref name="key"/>.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, string key, TimeSpan timeout)
    {
        var response = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, response))
        {
            throw new InvalidOperationException($"A request for '{key}' is already pending.");
        }

        try
        {
            await _outgoing.Writer.WriteAsync(request);
            return await response.Task.WaitAsync(timeout);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.StartStream => null,
            StreamingMessage.ContentOneofCase.RpcLog => null,
            StreamingMessage.ContentOneofCase.WorkerInitResponse => Keys.Init,
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse => Keys.Metadata,
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => Keys.Load(message.FunctionLoadResponse.FunctionId),
            StreamingMessage.ContentOneofCase.InvocationResponse => Keys.Invocation(message.InvocationResponse.InvocationId),
            _ => null,
        };

        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Enqueue(message.RpcLog);
                break;
            default:
                if (key is not null && _pending.TryGetValue(key, out var pending))
                {
                    pending.TrySetResult(message);
                }

                break;
        }
    }

    /// <summary>How responses are matched to requests.</summary>
    public static class Keys
    {
        public const string Init = "init";
        public const string Metadata = "metadata";

        public static string Load(string functionId) => "load:" + functionId;

        public static string Invocation(string invocationId) => "invocation:" + invocationId;
    }
}
