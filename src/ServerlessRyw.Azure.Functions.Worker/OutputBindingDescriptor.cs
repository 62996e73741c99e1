namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>An output binding the token travels on.</summary>
/// <param name="Name">The binding name: <c>$return</c>, or the name of the multi-output property that holds it.</param>
/// <param name="Kind"><see cref="RywBindingKind.HttpOutput"/> or <see cref="RywBindingKind.QueueOutput"/>.</param>
internal readonly record struct OutputBindingDescriptor(string Name, RywBindingKind Kind);
