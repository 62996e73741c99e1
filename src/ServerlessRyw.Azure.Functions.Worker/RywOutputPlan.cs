using System.Collections.Concurrent;
using System.Reflection;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Which outputs of one function get the token, computed once from its output binding metadata: HTTP responses and
/// queue messages, whether they are the return value, properties of a multi-output object, or already split into
/// per-binding values by the worker. Every other output (blobs, tables, ...) is left alone.
/// </summary>
/// <remarks>
/// <para>The isolated worker keeps a function's outputs in one of two shapes. Before its output-binding middleware has
/// run, a multi-output function's outputs are properties of the returned object (named like the bindings); after it,
/// they are per-binding values and the returned object is gone. A <c>$return</c> output stays the invocation result in
/// both. <see cref="StampReturnValue"/>, <see cref="StampProperties"/> and <see cref="StampBound{TBinding}"/> cover the
/// three cases, so the adapter is correct wherever it sits in the pipeline.</para>
/// <para>Instances are immutable and thread-safe; cache one per function.</para>
/// </remarks>
internal sealed class RywOutputPlan
{
    private static readonly ConcurrentDictionary<(Type Type, string Name), PropertyInfo?> PropertyCache = new();
    private readonly Dictionary<string, RywBindingKind> _kinds;

    private RywOutputPlan(RywBindingKind returnKind, OutputBindingDescriptor[] properties)
    {
        ReturnKind = returnKind;
        Properties = properties;
        _kinds = properties.ToDictionary(static p => p.Name, static p => p.Kind, StringComparer.Ordinal);
    }

    /// <summary>The kind of the <c>$return</c> binding; <see cref="RywBindingKind.Other"/> when there is none or it is not stamped.</summary>
    public RywBindingKind ReturnKind { get; }

    /// <summary>The stamped bindings other than <c>$return</c>: the multi-output properties.</summary>
    public IReadOnlyList<OutputBindingDescriptor> Properties { get; }

    /// <summary>Whether the function has no output the token travels on.</summary>
    public bool IsEmpty => ReturnKind == RywBindingKind.Other && Properties.Count == 0;

    /// <summary>Builds the plan from output binding metadata.</summary>
    /// <param name="outputBindings">Binding name → binding type, as in the function's metadata.</param>
    /// <returns>The plan.</returns>
    public static RywOutputPlan Create(IEnumerable<KeyValuePair<string, string>> outputBindings)
    {
        ArgumentNullException.ThrowIfNull(outputBindings);
        var returnKind = RywBindingKind.Other;
        var properties = new List<OutputBindingDescriptor>();
        foreach (var (name, type) in outputBindings)
        {
            var kind = FunctionBindings.ClassifyOutput(type);
            if (kind == RywBindingKind.Other)
            {
                continue;
            }

            if (FunctionBindings.IsReturn(name))
            {
                returnKind = kind;
            }
            else
            {
                properties.Add(new OutputBindingDescriptor(name, kind));
            }
        }

        return new RywOutputPlan(returnKind, [.. properties]);
    }

    /// <summary>The kind of a non-return binding, or <see cref="RywBindingKind.Other"/> when it is not stamped.</summary>
    /// <param name="bindingName">The binding name.</param>
    /// <returns>Its kind.</returns>
    public RywBindingKind KindOf(string bindingName) =>
        _kinds.TryGetValue(bindingName, out var kind) ? kind : RywBindingKind.Other;

    /// <summary>Stamps the invocation result when it is the <c>$return</c> output.</summary>
    /// <param name="result">The invocation result.</param>
    /// <param name="stampers">The host's stamping operations.</param>
    /// <param name="replacement">The value to put in its place (a queue message now in an envelope); unchanged otherwise.</param>
    /// <returns>What was stamped.</returns>
    public OutputStampSummary StampReturnValue(object? result, OutputStampers stampers, out object? replacement)
    {
        replacement = result;
        if (result is null)
        {
            return default;
        }

        switch (ReturnKind)
        {
            case RywBindingKind.QueueOutput:
                var outcome = stampers.Queue(result);
                if (outcome.Changed)
                {
                    replacement = outcome.Value;
                }

                return OutputStampSummary.From(outcome);
            case RywBindingKind.HttpOutput:
                return new OutputStampSummary { HttpResponses = stampers.Http(result) ? 1 : 0 };
            default:
                return default;
        }
    }

    /// <summary>
    /// Stamps the outputs held as properties of a multi-output object, before the worker has split them into bindings.
    /// </summary>
    /// <param name="result">The object the function returned.</param>
    /// <param name="stampers">The host's stamping operations.</param>
    /// <param name="moveToBinding">
    /// Called with a binding name and its stamped value when the property's declared type cannot hold that value (a
    /// <c>List&lt;Order&gt;</c> property and its envelopes); the host sets the binding's value directly and this plan then
    /// clears the property so the worker does not copy the unstamped messages over it. <see langword="null"/> when the
    /// host cannot do that; such properties are then counted in <see cref="OutputStampSummary.Unwritable"/>.
    /// </param>
    /// <returns>What was stamped.</returns>
    public OutputStampSummary StampProperties(object result, OutputStampers stampers, Action<string, object?>? moveToBinding)
    {
        ArgumentNullException.ThrowIfNull(result);
        var summary = default(OutputStampSummary);
        var type = result.GetType();
        foreach (var (name, kind) in Properties)
        {
            var property = FindProperty(type, name);
            if (property is null)
            {
                continue;
            }

            var value = property.GetValue(result);
            if (value is null)
            {
                continue;
            }

            if (kind == RywBindingKind.HttpOutput)
            {
                summary += new OutputStampSummary { HttpResponses = stampers.Http(value) ? 1 : 0 };
                continue;
            }

            var outcome = stampers.Queue(value);
            if (!outcome.Changed || TryWriteBack(result, property, outcome.Value, name, moveToBinding))
            {
                summary += OutputStampSummary.From(outcome);
                continue;
            }

            // The messages leave as the function set them: none of them carries the token.
            summary += new OutputStampSummary { Unwritable = 1, MessagesSkipped = outcome.Stamped + outcome.Skipped };
        }

        return summary;
    }

    /// <summary>Stamps outputs the worker has already split into per-binding values.</summary>
    /// <typeparam name="TBinding">The host's binding value holder.</typeparam>
    /// <param name="bindings">The output bindings of the invocation.</param>
    /// <param name="nameOf">A binding's name.</param>
    /// <param name="valueOf">A binding's current value.</param>
    /// <param name="setValue">Replaces a binding's value.</param>
    /// <param name="stampers">The host's stamping operations.</param>
    /// <returns>What was stamped.</returns>
    public OutputStampSummary StampBound<TBinding>(
        IEnumerable<TBinding> bindings,
        Func<TBinding, string> nameOf,
        Func<TBinding, object?> valueOf,
        Action<TBinding, object?> setValue,
        OutputStampers stampers)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        ArgumentNullException.ThrowIfNull(nameOf);
        ArgumentNullException.ThrowIfNull(valueOf);
        ArgumentNullException.ThrowIfNull(setValue);
        var summary = default(OutputStampSummary);
        foreach (var binding in bindings)
        {
            // $return is the invocation result, not a bound value: StampReturnValue handles it.
            var kind = KindOf(nameOf(binding));
            if (kind == RywBindingKind.Other)
            {
                continue;
            }

            var value = valueOf(binding);
            if (value is null)
            {
                continue;
            }

            if (kind == RywBindingKind.HttpOutput)
            {
                summary += new OutputStampSummary { HttpResponses = stampers.Http(value) ? 1 : 0 };
                continue;
            }

            var outcome = stampers.Queue(value);
            summary += OutputStampSummary.From(outcome);
            if (outcome.Changed)
            {
                setValue(binding, outcome.Value);
            }
        }

        return summary;
    }

    private static bool TryWriteBack(object result, PropertyInfo property, object? stamped, string name, Action<string, object?>? moveToBinding)
    {
        var setter = property.GetSetMethod(nonPublic: true);
        if (setter is not null && (stamped is null || property.PropertyType.IsInstanceOfType(stamped)))
        {
            setter.Invoke(result, [stamped]);
            return true;
        }

        // The declared type cannot hold envelope text: hand the stamped value to the binding and clear the property
        // (the worker skips null properties when it splits the object, so the stamped value is what gets sent).
        if (moveToBinding is null || setter is null || property.PropertyType.IsValueType)
        {
            return false;
        }

        moveToBinding(name, stamped);
        setter.Invoke(result, [null]);
        return true;
    }

    // The worker finds multi-output properties with Type.GetProperty(bindingName): public, case-sensitive.
    private static PropertyInfo? FindProperty(Type type, string name) =>
        PropertyCache.GetOrAdd((type, name), static key =>
        {
            try
            {
                return key.Type.GetProperty(key.Name, BindingFlags.Public | BindingFlags.Instance);
            }
            catch (AmbiguousMatchException)
            {
                return null;
            }
        });
}
