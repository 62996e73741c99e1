using Microsoft.Azure.Functions.Worker;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>What the adapter needs to know about one function, computed once from its metadata.</summary>
internal sealed class FunctionShape
{
    private FunctionShape(RywBindingKind trigger, BindingMetadata? triggerBinding, QueueParameterShape queueParameter, RywOutputPlan outputs)
    {
        Trigger = trigger;
        TriggerBinding = triggerBinding;
        QueueParameter = queueParameter;
        Outputs = outputs;
    }

    public RywBindingKind Trigger { get; }

    public BindingMetadata? TriggerBinding { get; }

    public QueueParameterShape QueueParameter { get; }

    public RywOutputPlan Outputs { get; }

    public static FunctionShape From(FunctionDefinition definition)
    {
        var trigger = RywBindingKind.Other;
        BindingMetadata? triggerBinding = null;
        foreach (var binding in definition.InputBindings.Values)
        {
            var kind = FunctionBindings.ClassifyInput(binding.Type);
            if (kind != RywBindingKind.Other)
            {
                trigger = kind;
                triggerBinding = binding;
                break;
            }
        }

        var queueParameter = QueueParameterShape.Text;
        if (trigger == RywBindingKind.QueueTrigger)
        {
            // The worker binds a parameter from the binding of the same name.
            var parameter = definition.Parameters.FirstOrDefault(p => string.Equals(p.Name, triggerBinding!.Name, StringComparison.OrdinalIgnoreCase));
            if (parameter is not null)
            {
                queueParameter = QueueTriggerMapping.ClassifyParameter(parameter.Type);
            }
        }

        var outputs = RywOutputPlan.Create(definition.OutputBindings.Select(static b => KeyValuePair.Create(b.Key, b.Value.Type)));
        return new FunctionShape(trigger, triggerBinding, queueParameter, outputs);
    }
}
