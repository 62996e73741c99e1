namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>Maps the binding type names of Functions metadata (<c>function.json</c> / worker indexing) to their role.</summary>
/// <remarks>The names are the ones the Functions host and the worker SDK write; they are compared ignoring case, as the host does.</remarks>
internal static class FunctionBindings
{
    /// <summary>The binding type of an HTTP trigger.</summary>
    public const string HttpTriggerType = "httpTrigger";

    /// <summary>The binding type of a Storage queue trigger.</summary>
    public const string QueueTriggerType = "queueTrigger";

    /// <summary>The binding type of an HTTP response output.</summary>
    public const string HttpOutputType = "http";

    /// <summary>The binding type of a Storage queue output.</summary>
    public const string QueueOutputType = "queue";

    /// <summary>The name of the output binding that is the function's return value.</summary>
    public const string ReturnBindingName = "$return";

    /// <summary>The trigger-metadata entry in which the host passes an HTTP request's headers (a JSON object).</summary>
    public const string HeadersMetadataKey = "Headers";

    /// <summary>Classifies an input binding.</summary>
    /// <param name="bindingType">The binding's type name.</param>
    /// <returns>Its role, or <see cref="RywBindingKind.Other"/>.</returns>
    public static RywBindingKind ClassifyInput(string? bindingType)
    {
        if (string.Equals(bindingType, HttpTriggerType, StringComparison.OrdinalIgnoreCase))
        {
            return RywBindingKind.HttpTrigger;
        }

        return string.Equals(bindingType, QueueTriggerType, StringComparison.OrdinalIgnoreCase)
            ? RywBindingKind.QueueTrigger
            : RywBindingKind.Other;
    }

    /// <summary>Classifies an output binding.</summary>
    /// <param name="bindingType">The binding's type name.</param>
    /// <returns>Its role, or <see cref="RywBindingKind.Other"/>.</returns>
    public static RywBindingKind ClassifyOutput(string? bindingType)
    {
        if (string.Equals(bindingType, HttpOutputType, StringComparison.OrdinalIgnoreCase))
        {
            return RywBindingKind.HttpOutput;
        }

        return string.Equals(bindingType, QueueOutputType, StringComparison.OrdinalIgnoreCase)
            ? RywBindingKind.QueueOutput
            : RywBindingKind.Other;
    }

    /// <summary>Whether <paramref name="bindingName"/> is the return-value binding.</summary>
    /// <param name="bindingName">A binding name.</param>
    /// <returns><see langword="true"/> for <c>$return</c>, in any case.</returns>
    public static bool IsReturn(string? bindingName) =>
        string.Equals(bindingName, ReturnBindingName, StringComparison.OrdinalIgnoreCase);
}
