using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessRyw;
using ServerlessRyw.Azure.Functions.Worker;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds read-your-writes to an Azure Functions isolated worker.</summary>
public static class RywFunctionsWorkerApplicationBuilderExtensions
{
    /// <summary>The configuration section bound to <see cref="RywOptions"/>: app settings <c>ServerlessRyw__Primary</c>, <c>ServerlessRyw__Replicas__0</c>, <c>ServerlessRyw__Mode</c>, ...</summary>
    public const string ConfigurationSection = "ServerlessRyw";

    /// <summary>
    /// Registers the read-your-writes client, a <see cref="RywSession"/> per invocation (inject it into your function
    /// classes) and the middleware that carries the token: it reads it from HTTP request headers and queue message
    /// envelopes before the function runs, and stamps the newest token on HTTP responses and queue output messages
    /// after it ran. Calling it again only applies <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The worker builder: <c>FunctionsApplication.CreateBuilder(args)</c>, or the one
    /// <c>ConfigureFunctionsWorkerDefaults</c> / <c>ConfigureFunctionsWebApplication</c> passes to their callback.</param>
    /// <param name="configure">Sets options after the <see cref="ConfigurationSection"/> section has been bound.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// With the ASP.NET Core integration, call it after <c>ConfigureFunctionsWebApplication()</c>: the token header is
    /// then read from and written to the real <c>HttpContext</c>. The worker builds its pipeline in registration order, and
    /// this middleware must run inside the integration's; the other order fails the worker's start with a message
    /// saying so, as does a missing <c>ServerlessRyw__Primary</c> setting.
    /// </remarks>
    public static IFunctionsWorkerApplicationBuilder UseReadYourWrites(this IFunctionsWorkerApplicationBuilder builder, Action<RywOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(static d => d.ServiceType == typeof(RywFunctionsMiddleware)))
        {
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return builder;
        }

        var options = services.AddReadYourWrites();
        options.BindConfiguration(ConfigurationSection);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Checked when the worker starts, before it connects to the host: a missing primary or a misordered
        // registration fails the start with a message naming the fix, instead of failing every invocation later.
        services.AddSingleton(new RywWorkerStartupValidator.Registrations(services));
        services.AddSingleton<IValidateOptions<RywOptions>, RywWorkerStartupValidator>();
        services.AddSingleton<RywFunctionsTelemetry>();
        services.AddSingleton<RywOutputStamping>();

        // First among the registered converters, so queue message text loses its envelope before the worker's own
        // converters (string, JSON POCO, bytes, ...) see it.
        services.Configure<WorkerOptions>(static worker => worker.InputConverters.RegisterAt<RywQueueEnvelopeConverter>(0));

        // Registers the middleware as a singleton; per-invocation state lives in the invocation's scope and Items.
        builder.UseMiddleware<RywFunctionsMiddleware>();
        return builder;
    }
}
