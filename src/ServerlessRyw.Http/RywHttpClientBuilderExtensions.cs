using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessRyw;
using ServerlessRyw.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds read-your-writes token propagation to clients made by <c>IHttpClientFactory</c>.</summary>
public static class RywHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="RywTokenHandler"/> to the client: requests carry the current invocation's newest token and a
    /// token on the response is merged back into the session.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(...)</c>.</param>
    /// <param name="configure">Sets this client's options (for example W3C baggage).</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder AddReadYourWritesHandler(this IHttpClientBuilder builder, Action<RywTokenHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<RywSessionAccessor>();
        var options = builder.Services.AddOptions<RywTokenHandlerOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var name = builder.Name;
        return builder.AddHttpMessageHandler(services => new RywTokenHandler(
            services.GetRequiredService<RywSessionAccessor>(),
            services.GetRequiredService<IOptionsMonitor<RywTokenHandlerOptions>>().Get(name),
            services.GetService<ILogger<RywTokenHandler>>()));
    }
}
