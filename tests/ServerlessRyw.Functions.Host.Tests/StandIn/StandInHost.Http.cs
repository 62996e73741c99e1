using System.Text.Json;
using ServerlessRyw.Functions.Host.Tests.Rpc;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

public sealed partial class StandInHost
{
    // The host proxies every request to the worker's Kestrel and tags it with the invocation it belongs to.
    private const string InvocationHeader = "x-ms-invocation-id";
    private const string RoutePrefix = "/api/";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false });

    /// <summary>What one HTTP-triggered invocation produced: the response the caller got and the worker's InvocationResponse.</summary>
    public sealed record HttpInvocation(HttpResponseMessage Response, string Body, InvocationResponse Invocation, FunctionInfo Function);

    /// <summary>
    /// Handles a request as the host does with the ASP.NET Core integration: picks the function by route and method,
    /// sends its InvocationRequest and forwards the request itself to <see cref="HttpUri"/> with the invocation id, then
    /// moves the invocation's queue outputs to Azurite.
    /// </summary>
    public async Task<HttpInvocation> SendAsync(HttpMethod method, string pathAndQuery, IReadOnlyDictionary<string, string>? headers = null)
    {
        var path = pathAndQuery.Split('?')[0];
        var routeValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var function = _functions.Values.FirstOrDefault(f =>
            string.Equals(f.TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase)
            && path.StartsWith(RoutePrefix, StringComparison.OrdinalIgnoreCase)
            && AllowsMethod(f, method)
            && f.TryMatchRoute(path[RoutePrefix.Length..], routeValues))
            ?? throw new InvalidOperationException($"No HTTP function for {method} {path}.");

        var invocationId = Guid.NewGuid().ToString();
        var rpcHttp = new RpcHttp { Method = method.Method, Url = new Uri(HttpUri, pathAndQuery).ToString() };
        var forwarded = new HttpRequestMessage(method, new Uri(HttpUri, pathAndQuery));
        forwarded.Headers.TryAddWithoutValidation(InvocationHeader, invocationId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            forwarded.Headers.TryAddWithoutValidation(name, value);
            rpcHttp.Headers[name] = value;
        }

        if (method == HttpMethod.Post)
        {
            forwarded.Content = new StringContent(string.Empty);
        }

        var metadata = new Dictionary<string, TypedData>(StringComparer.Ordinal)
        {
            ["Headers"] = new TypedData { Json = JsonSerializer.Serialize(rpcHttp.Headers) },
        };
        foreach (var (name, value) in routeValues)
        {
            metadata[name] = new TypedData { String = value };
        }

        var inputs = new[] { new ParameterBinding { Name = function.TriggerName, Data = new TypedData { Http = rpcHttp } } };

        // Both legs at once, as in the host: the worker pairs them by the invocation id.
        var invocation = InvokeAsync(function, invocationId, inputs, metadata);
        var response = await _http.SendAsync(forwarded);
        var body = await response.Content.ReadAsStringAsync();
        var result = await invocation;
        if (result.Result.Status == StatusResult.Types.Status.Success)
        {
            await RouteOutputsAsync(function, result);
        }

        return new HttpInvocation(response, body, result, function);
    }

    private static bool AllowsMethod(FunctionInfo function, HttpMethod method)
    {
        foreach (var raw in function.Metadata.RawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (string.Equals(member.Name, "methods", StringComparison.OrdinalIgnoreCase) && member.Value.ValueKind == JsonValueKind.Array)
                {
                    return member.Value.EnumerateArray().Any(m => string.Equals(m.GetString(), method.Method, StringComparison.OrdinalIgnoreCase));
                }
            }
        }

        return true;
    }
}
