namespace ServerlessRyw.Azure.Functions.Worker.Tests.Mapping;

internal static class Tokens
{
    public const string ReplicationId = "8c3f0e2b9a7d4c1e6f5a3b2c1d0e9f8a7b6c5d4e";

    public static RywToken At(long offset) => RywToken.FromPosition(new ReplicationPosition(ReplicationId, offset));
}
