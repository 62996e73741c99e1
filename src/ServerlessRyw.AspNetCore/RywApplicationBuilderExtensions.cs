using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRyw;
using ServerlessRyw.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds read-your-writes token propagation to an ASP.NET Core pipeline.</summary>
public static class RywApplicationBuilderExtensions
{
    /// <summary>
    /// Reads the <c>Ryw-Token</c> request header into the request's <see cref="RywSession"/> (the scoped one registered
    /// by <c>AddReadYourWrites()</c>), makes it the ambient <see cref="RywSessionAccessor.Session"/> for outgoing calls,
    /// and stamps the session's newest token on the response just before it starts.
    /// </summary>
    /// <param name="app">The application's pipeline; place this before the endpoints that read or write Redis.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddReadYourWrites()</c> was not called.</exception>
    public static IApplicationBuilder UseReadYourWrites(this IApplicationBuilder app) => UseReadYourWrites(app, static _ => { });

    /// <summary>Adds the read-your-writes middleware with options (for example reading W3C baggage).</summary>
    /// <param name="app">The application's pipeline.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddReadYourWrites()</c> was not called.</exception>
    public static IApplicationBuilder UseReadYourWrites(this IApplicationBuilder app, Action<RywAspNetCoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RywAspNetCoreOptions();
        configure(options);

        var services = app.ApplicationServices;
        if (services.GetService<IServiceProviderIsService>() is { } registry && !registry.IsService(typeof(RywSession)))
        {
            throw new InvalidOperationException(
                "UseReadYourWrites() needs a scoped RywSession: call services.AddReadYourWrites(...) when configuring services.");
        }

        var accessor = services.GetService<RywSessionAccessor>() ?? new RywSessionAccessor();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("ServerlessRyw.AspNetCore") ?? NullLogger.Instance;
        return app.Use(next => new ReadYourWritesMiddleware(next, options, accessor, logger).InvokeAsync);
    }
}
