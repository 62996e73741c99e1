namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

public sealed class FunctionBindingsUnitTests
{
    [Theory]
    [InlineData("httpTrigger", RywBindingKind.HttpTrigger)]
    [InlineData("HTTPTRIGGER", RywBindingKind.HttpTrigger)]
    [InlineData("queueTrigger", RywBindingKind.QueueTrigger)]
    [InlineData("QueueTrigger", RywBindingKind.QueueTrigger)]
    [InlineData("blobTrigger", RywBindingKind.Other)]
    [InlineData("queue", RywBindingKind.Other)]
    [InlineData(null, RywBindingKind.Other)]
    public void ClassifyInput_BindingType_ReturnsRole(string? type, object expectedValue)
    {
        var expected = (RywBindingKind)expectedValue;
        Assert.Equal(expected, FunctionBindings.ClassifyInput(type));
    }

    [Theory]
    [InlineData("http", RywBindingKind.HttpOutput)]
    [InlineData("HTTP", RywBindingKind.HttpOutput)]
    [InlineData("queue", RywBindingKind.QueueOutput)]
    [InlineData("Queue", RywBindingKind.QueueOutput)]
    [InlineData("blob", RywBindingKind.Other)]
    [InlineData("serviceBus", RywBindingKind.Other)]
    [InlineData("queueTrigger", RywBindingKind.Other)]
    [InlineData("", RywBindingKind.Other)]
    public void ClassifyOutput_BindingType_ReturnsRole(string? type, object expectedValue)
    {
        var expected = (RywBindingKind)expectedValue;
        Assert.Equal(expected, FunctionBindings.ClassifyOutput(type));
    }

    [Theory]
    [InlineData("$return", true)]
    [InlineData("$RETURN", true)]
    [InlineData("Message", false)]
    [InlineData(null, false)]
    public void IsReturn_BindingName_RecognisesReturnBinding(string? name, bool expected)
    {
        Assert.Equal(expected, FunctionBindings.IsReturn(name));
    }
}
