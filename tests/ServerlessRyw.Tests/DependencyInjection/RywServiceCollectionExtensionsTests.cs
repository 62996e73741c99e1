using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRyw.Tests.Infrastructure;
using StackExchange.Redis;

namespace ServerlessRyw.Tests.DependencyInjection;

[Collection(RedisServerTests.Name)]
public sealed class RywServiceCollectionExtensionsTests(ReplicaSetFixture servers)
{
    [Fact]
    public void AddReadYourWrites_InvalidOptions_FailValidationWithEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddReadYourWrites(o =>
        {
            o.WaitBudget = TimeSpan.FromMinutes(5);
            o.Mode = RywMode.Window;
            o.Window = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RywOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("WaitBudget", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Window", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddReadYourWrites_RegisteredMultiplexer_IsThePrimaryAndSessionsAreScoped()
    {
        await servers.SetLagAsync(TimeSpan.FromMilliseconds(200));
        var services = new ServiceCollection();
        services.AddSingleton(servers.Connect(servers.PrimaryEndPoint));
        services.AddReadYourWrites(o => o.Replicas.Add(servers.LaggedReplicaEndPoint + ",abortConnect=false"));
        await using var provider = services.BuildServiceProvider();
        RedisKey key = $"di:{Guid.NewGuid():N}";

        string carried;
        RywSession first;
        await using (var invocation = provider.CreateAsyncScope())
        {
            first = invocation.ServiceProvider.GetRequiredService<RywSession>();
            Assert.Same(first, invocation.ServiceProvider.GetRequiredService<RywSession>());
            await first.WriteAsync(db => db.StringSetAsync(key, "fresh"));
            carried = (await first.GetTokenAsync()).ToString();
        }

        await using var next = provider.CreateAsyncScope();
        var second = next.ServiceProvider.GetRequiredService<RywSession>();
        Assert.NotSame(first, second);
        second.Import(carried);
        Assert.Equal("fresh", await second.ReadAsync(db => db.StringGetAsync(key)));
        Assert.Same(provider.GetRequiredService<IConnectionMultiplexer>().GetDatabase().Multiplexer, second.Primary.Multiplexer);
    }
}
