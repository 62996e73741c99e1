using System.Collections;
using System.Text.Json;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Reads header values from the <c>Headers</c> entry of an HTTP trigger's metadata, which the Functions host sends
/// as a JSON object (<c>{"Ryw-Token":"1.…"}</c>) and which the worker exposes as a string or a dictionary.
/// </summary>
/// <remarks>
/// The adapter only falls back on this when neither the ASP.NET Core <c>HttpContext</c> nor the worker's own
/// <c>HttpRequestData</c> can be read safely at that point of the pipeline. Header names are case-insensitive.
/// </remarks>
internal static class TriggerMetadataHeaders
{
    // The host never sends more than a few KiB of headers; refuse to parse anything absurd.
    private const int MaxJsonLength = 256 * 1024;

    /// <summary>Finds every value of <paramref name="headerName"/> in a <c>Headers</c> metadata entry.</summary>
    /// <param name="headers">The entry: a JSON object as text, a <see cref="JsonElement"/>, or a dictionary.</param>
    /// <param name="headerName">The header to look up, for example <c>Ryw-Token</c>.</param>
    /// <returns>The values found, in order; empty when the header or the entry is missing or unreadable.</returns>
    public static IReadOnlyList<string> GetValues(object? headers, string headerName)
    {
        ArgumentException.ThrowIfNullOrEmpty(headerName);
        switch (headers)
        {
            case null:
                return [];
            case string json:
                return FromJsonText(json, headerName);
            case JsonElement element:
                return FromJsonElement(element, headerName);
            case IEnumerable<KeyValuePair<string, string>> pairs:
                return FromPairs(pairs.Select(static p => new KeyValuePair<string, object?>(p.Key, p.Value)), headerName);
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                return FromPairs(pairs, headerName);
            case IDictionary dictionary:
                return FromPairs(
                    dictionary.Cast<DictionaryEntry>().Select(static e => new KeyValuePair<string, object?>(e.Key as string ?? string.Empty, e.Value)),
                    headerName);
            default:
                return [];
        }
    }

    private static List<string> FromJsonText(string json, string headerName)
    {
        if (json.Length == 0 || json.Length > MaxJsonLength)
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return FromJsonElement(document.RootElement, headerName);
        }
        catch (JsonException)
        {
            // Not the JSON object the host sends: there is no token in it.
            return [];
        }
    }

    private static List<string> FromJsonElement(JsonElement element, string headerName)
    {
        var values = new List<string>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            return values;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, headerName, StringComparison.OrdinalIgnoreCase))
            {
                AddJsonValue(values, property.Value);
            }
        }

        return values;
    }

    private static void AddJsonValue(List<string> values, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                values.Add(value.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        values.Add(item.GetString()!);
                    }
                }

                break;
            default:
                break;
        }
    }

    private static List<string> FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs, string headerName)
    {
        var values = new List<string>();
        foreach (var (key, value) in pairs)
        {
            if (!string.Equals(key, headerName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            switch (value)
            {
                case string text:
                    values.Add(text);
                    break;
                case JsonElement element:
                    AddJsonValue(values, element);
                    break;
                case IEnumerable<string> texts:
                    values.AddRange(texts);
                    break;
                default:
                    break;
            }
        }

        return values;
    }
}
