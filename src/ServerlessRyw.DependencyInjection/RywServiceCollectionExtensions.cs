using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRyw;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers read-your-writes with a service collection.</summary>
public static class RywServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="RywClient"/>, a scoped <see cref="RywSession"/> (one per invocation or
    /// request) and the <see cref="RywSessionAccessor"/>. Options are validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options: replicas, mode, wait budget, window.</param>
    /// <returns>The options builder, to bind configuration or add validation.</returns>
    /// <remarks>
    /// The primary connection is the <see cref="IConnectionMultiplexer"/> already registered, if there is one
    /// (the client then leaves its lifetime to the container); otherwise <see cref="RywOptions.Primary"/> is connected.
    /// Replica connections are opened once, on first use, and shared by every session.
    /// </remarks>
    public static OptionsBuilder<RywOptions> AddReadYourWrites(this IServiceCollection services, Action<RywOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<RywOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RywOptions>, RywOptionsValidator>());
        services.TryAddSingleton<RywSessionAccessor>();
        services.TryAddSingleton(CreateClient);
        services.TryAddScoped(static provider => provider.GetRequiredService<RywClient>().CreateSession());
        return builder;
    }

    private static RywClient CreateClient(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<RywOptions>>().Value;
        var loggers = provider.GetService<ILoggerFactory>();
        var meters = provider.GetService<IMeterFactory>();
        var primary = provider.GetService<IConnectionMultiplexer>();
        if (primary is not null)
        {
            return RywClient.Create(primary, options, loggers, meters);
        }

        // Service factories are synchronous; the connect is bounded by StackExchange.Redis's connect timeout and,
        // with abortConnect=false in the configuration, keeps retrying in the background instead of throwing.
        return RywClient.ConnectAsync(options, loggers, meters).GetAwaiter().GetResult();
    }

    private sealed class RywOptionsValidator : IValidateOptions<RywOptions>
    {
        public ValidateOptionsResult Validate(string? name, RywOptions options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
