using ServerlessRyw.Propagation;

namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

public sealed class RywOutputPlanUnitTests
{
    private static readonly RywToken Token = Tokens.At(99);
    private readonly QueueMessageStamper _stamper = new(Json.Serialize);
    private readonly List<object> _stampedResponses = [];

    private OutputStampers Stampers => new(
        value => _stamper.Stamp(value, Token),
        response =>
        {
            if (response is not FakeHttpResponseData http)
            {
                return false;
            }

            http.Headers[RywHeaderNames.Token] = Token.ToString();
            _stampedResponses.Add(http);
            return true;
        });

    // Metadata as the worker SDK generates it for OrderAcceptedOutputs: binding name = property name.
    private static RywOutputPlan OrderAcceptedPlan() => RywOutputPlan.Create(new Dictionary<string, string>
    {
        ["Message"] = "queue",
        ["HttpResponse"] = "http",
        ["Audit"] = "blob",
    });

    [Fact]
    public void Create_MultiOutputMetadata_KeepsOnlyHttpAndQueueBindings()
    {
        var plan = OrderAcceptedPlan();

        Assert.Equal(RywBindingKind.Other, plan.ReturnKind);
        Assert.Equal(
            [new OutputBindingDescriptor("Message", RywBindingKind.QueueOutput), new OutputBindingDescriptor("HttpResponse", RywBindingKind.HttpOutput)],
            plan.Properties);
        Assert.Equal(RywBindingKind.Other, plan.KindOf("Audit"));
        Assert.False(plan.IsEmpty);
    }

    [Theory]
    [InlineData("queue", RywBindingKind.QueueOutput)]
    [InlineData("http", RywBindingKind.HttpOutput)]
    [InlineData("blob", RywBindingKind.Other)]
    public void Create_ReturnBinding_SetsReturnKind(string type, object expectedValue)
    {
        var expected = (RywBindingKind)expectedValue;
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = type });

        Assert.Equal(expected, plan.ReturnKind);
        Assert.Empty(plan.Properties);
        Assert.Equal(expected == RywBindingKind.Other, plan.IsEmpty);
    }

    [Fact]
    public void StampReturnValue_QueueString_ReplacesWithEnvelope()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = "queue" });

        var summary = plan.StampReturnValue("next step", Stampers, out var replacement);

        Assert.Equal(1, summary.MessagesStamped);
        Assert.Equal("next step", RywQueueEnvelope.Unwrap((string)replacement!).Body);
    }

    [Fact]
    public void StampReturnValue_QueueCollection_ReplacesEveryMessage()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = "queue" });

        var summary = plan.StampReturnValue(new List<OrderMessage> { new(1, "a"), new(2, "b") }, Stampers, out var replacement);

        Assert.Equal(2, summary.MessagesStamped);
        Assert.All((string[])replacement!, m => Assert.Equal(Token, RywQueueEnvelope.Unwrap(m).Token));
    }

    [Fact]
    public void StampReturnValue_HttpResponse_StampsHeaderInPlace()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = "http" });
        var response = new FakeHttpResponseData();

        var summary = plan.StampReturnValue(response, Stampers, out var replacement);

        Assert.Same(response, replacement);
        Assert.Equal(1, summary.HttpResponses);
        Assert.Equal(Token.ToString(), response.Headers["ryw-token"]);
    }

    [Fact]
    public void StampReturnValue_ActionResult_NotStampedInPlace()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = "http" });

        var summary = plan.StampReturnValue(new FakeActionResult(), Stampers, out _);

        Assert.Equal(0, summary.HttpResponses);
    }

    [Fact]
    public void StampReturnValue_NonStampedBinding_LeavesResult()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["$return"] = "blob" });

        var summary = plan.StampReturnValue("blob content", Stampers, out var replacement);

        Assert.Equal("blob content", replacement);
        Assert.Equal(default, summary);
    }

    [Fact]
    public void StampProperties_MultiOutputObject_StampsQueueAndHttpButNotBlob()
    {
        var outputs = new OrderAcceptedOutputs { Message = "order 42", HttpResponse = new FakeHttpResponseData(), Audit = "audit line" };

        var summary = OrderAcceptedPlan().StampProperties(outputs, Stampers, moveToBinding: null);

        Assert.Equal("order 42", RywQueueEnvelope.Unwrap(outputs.Message).Body);
        Assert.Equal(Token.ToString(), outputs.HttpResponse.Headers[RywHeaderNames.Token]);
        Assert.Equal("audit line", outputs.Audit);
        Assert.Equal(new OutputStampSummary { MessagesStamped = 1, HttpResponses = 1 }, summary);
    }

    [Fact]
    public void StampProperties_NullProperties_Skipped()
    {
        var outputs = new OrderAcceptedOutputs();

        var summary = OrderAcceptedPlan().StampProperties(outputs, Stampers, moveToBinding: null);

        Assert.Equal(default, summary);
        Assert.Null(outputs.Message);
    }

    [Fact]
    public void StampProperties_PocoTypedProperties_MovedToBindingAndCleared()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string>
        {
            ["Orders"] = "queue",
            ["Notifications"] = "queue",
            ["Single"] = "queue",
        });
        var outputs = new FanOutOutputs
        {
            Orders = [new(1, "a"), new(2, "b")],
            Notifications = ["n1"],
            Single = new(3, "c"),
        };
        var moved = new Dictionary<string, object?>();

        var summary = plan.StampProperties(outputs, Stampers, (name, value) => moved[name] = value);

        // string[] can hold envelopes: written back. List<OrderMessage> and OrderMessage cannot: moved, then cleared
        // so the worker's own split (which skips null properties) does not overwrite the stamped messages.
        Assert.Equal("n1", RywQueueEnvelope.Unwrap(outputs.Notifications![0]).Body);
        Assert.Null(outputs.Orders);
        Assert.Null(outputs.Single);
        Assert.Equal(2, ((string[])moved["Orders"]!).Length);
        Assert.Equal(new OrderMessage(3, "c"), Json.Deserialize<OrderMessage>(RywQueueEnvelope.Unwrap((string)moved["Single"]!).Body));
        Assert.Equal(4, summary.MessagesStamped);
        Assert.Equal(0, summary.Unwritable);
    }

    [Fact]
    public void StampProperties_PocoTypedWithoutMove_CountedUnwritableAndLeftIntact()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["Single"] = "queue" });
        var outputs = new FanOutOutputs { Single = new(3, "c") };

        var summary = plan.StampProperties(outputs, Stampers, moveToBinding: null);

        Assert.Equal(new OrderMessage(3, "c"), outputs.Single);
        Assert.Equal(1, summary.Unwritable);
        Assert.Equal(0, summary.MessagesStamped);
        Assert.Equal(1, summary.MessagesSkipped);
    }

    [Fact]
    public void StampProperties_GetOnlyProperty_CountedUnwritable()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["Message"] = "queue" });
        var outputs = new ReadOnlyOutputs("hello");

        var summary = plan.StampProperties(outputs, Stampers, (_, _) => Assert.Fail("a get-only property cannot be cleared"));

        Assert.Equal("hello", outputs.Message);
        Assert.Equal(1, summary.Unwritable);
    }

    [Fact]
    public void StampProperties_BindingWithoutProperty_Ignored()
    {
        var plan = RywOutputPlan.Create(new Dictionary<string, string> { ["Missing"] = "queue" });

        var summary = plan.StampProperties(new OrderAcceptedOutputs { Message = "m" }, Stampers, null);

        Assert.Equal(default, summary);
    }

    [Fact]
    public void StampBound_SplitOutputs_StampsByBindingNameAndSkipsReturnAndOthers()
    {
        // After the worker's output-binding middleware: values per binding, invocation result cleared.
        var response = new FakeHttpResponseData();
        var bindings = new List<FakeOutputBindingData>
        {
            new("Message", "queue", new OrderMessage(1, "a")),
            new("HttpResponse", "http", response),
            new("Audit", "blob", "audit line"),
            new("$return", "queue", null),
        };
        var plan = RywOutputPlan.Create(bindings.ToDictionary(b => b.Name, b => b.BindingType));

        var summary = plan.StampBound(bindings, b => b.Name, b => b.Value, (b, v) => b.Value = v, Stampers);

        Assert.Equal(new OrderMessage(1, "a"), Json.Deserialize<OrderMessage>(RywQueueEnvelope.Unwrap((string)bindings[0].Value!).Body));
        Assert.Equal(Token.ToString(), response.Headers[RywHeaderNames.Token]);
        Assert.Equal("audit line", bindings[2].Value);
        Assert.Null(bindings[3].Value);
        Assert.Equal(new OutputStampSummary { MessagesStamped = 1, HttpResponses = 1 }, summary);
    }

    [Fact]
    public void StampBound_EmptyToken_NothingChanges()
    {
        var bindings = new List<FakeOutputBindingData> { new("Message", "queue", "m") };
        var plan = RywOutputPlan.Create(bindings.ToDictionary(b => b.Name, b => b.BindingType));
        var stampers = new OutputStampers(v => _stamper.Stamp(v, RywToken.None), _ => false);

        var summary = plan.StampBound(bindings, b => b.Name, b => b.Value, (b, v) => b.Value = v, stampers);

        Assert.Equal("m", bindings[0].Value);
        Assert.Equal(default, summary);
    }

    [Fact]
    public void SummaryAdd_SumsEveryCount()
    {
        var a = new OutputStampSummary { MessagesStamped = 1, MessagesSkipped = 2, HttpResponses = 3, Unwritable = 4 };

        Assert.Equal(new OutputStampSummary { MessagesStamped = 2, MessagesSkipped = 4, HttpResponses = 6, Unwritable = 8 }, a.Add(a));
    }
}
