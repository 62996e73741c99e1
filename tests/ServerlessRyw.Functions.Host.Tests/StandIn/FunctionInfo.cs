using System.Text.Json;
using ServerlessRyw.Functions.Host.Tests.Rpc;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

/// <summary>One function as the worker described it in its metadata response, with the binding facts the host needs.</summary>
public sealed class FunctionInfo
{
    public FunctionInfo(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        foreach (var raw in metadata.RawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            var binding = document.RootElement;
            var type = Read(binding, "type");
            var name = Read(binding, "name") ?? string.Empty;
            var direction = Read(binding, "direction");
            if (string.Equals(direction, "In", StringComparison.OrdinalIgnoreCase) && type is not null && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                TriggerType = type;
                TriggerName = name;
                TriggerQueue = Read(binding, "queueName");
                Route = Read(binding, "route");

                // The SDK marks SDK-type parameters (QueueMessage, BinaryData): the host then sends model binding data.
                DeferredBinding = binding.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                    && string.Equals(Read(properties, "supportsDeferredBinding"), "true", StringComparison.OrdinalIgnoreCase);
            }
            else if (string.Equals(type, "queue", StringComparison.OrdinalIgnoreCase))
            {
                QueueOutputs[name] = Read(binding, "queueName") ?? throw new InvalidDataException($"{metadata.Name}: queue output without queueName");
            }
        }
    }

    public RpcFunctionMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public string Id => Metadata.FunctionId;

    public string? TriggerType { get; }

    public string? TriggerName { get; }

    public string? TriggerQueue { get; }

    public string? Route { get; }

    public bool DeferredBinding { get; private set; }

    /// <summary>Queue output binding name (<c>$return</c> for the return value) → queue name.</summary>
    public Dictionary<string, string> QueueOutputs { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Matches a request path (after <c>/api/</c>) against the route template; fills route parameters.</summary>
    public bool TryMatchRoute(string path, Dictionary<string, string> values)
    {
        var template = (Route ?? Name).Split('/');
        var segments = path.Split('/');
        if (template.Length != segments.Length)
        {
            return false;
        }

        for (var i = 0; i < template.Length; i++)
        {
            if (template[i].StartsWith('{') && template[i].EndsWith('}'))
            {
                values[template[i][1..^1].Split(':')[0]] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(template[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Read(JsonElement binding, string property)
    {
        foreach (var member in binding.EnumerateObject())
        {
            if (string.Equals(member.Name, property, StringComparison.OrdinalIgnoreCase) && member.Value.ValueKind == JsonValueKind.String)
            {
                return member.Value.GetString();
            }
        }

        return null;
    }
}
