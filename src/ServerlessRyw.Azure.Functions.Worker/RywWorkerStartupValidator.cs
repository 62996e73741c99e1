using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ServerlessRyw.Azure.Functions.Worker;

/// <summary>
/// Fails the worker's start (before it connects to the host, so nothing gets loaded) when read-your-writes cannot work:
/// no Redis primary configured, or the middleware registered where it cannot see HTTP responses.
/// </summary>
/// <remarks>
/// Runs as a <see cref="RywOptions"/> validator, which <c>ValidateOnStart</c> evaluates when the host starts. The
/// service collection is the live one: it sees registrations made after <c>UseReadYourWrites()</c>.
/// </remarks>
internal sealed class RywWorkerStartupValidator(RywWorkerStartupValidator.Registrations registrations, IServiceProviderIsService services) : IValidateOptions<RywOptions>
{
    // Registered (as a singleton, by UseMiddleware) by ConfigureFunctionsWebApplication().
    internal const string AspNetCoreMiddlewareTypeName = "Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore.FunctionsHttpProxyingMiddleware";

    public ValidateOptionsResult Validate(string? name, RywOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Primary) && !services.IsService(typeof(IConnectionMultiplexer)))
        {
            errors.Add(
                $"The Redis primary is not configured: set the app setting {RywFunctionsWorkerApplicationBuilderExtensionsNames.PrimarySetting} " +
                "(a StackExchange.Redis configuration string, e.g. \"myredis:6380,ssl=true,password=...\"), " +
                "or register an IConnectionMultiplexer before UseReadYourWrites().");
        }

        if (MiddlewareOutsideAspNetCore(registrations.Services))
        {
            errors.Add(
                "UseReadYourWrites() was called before ConfigureFunctionsWebApplication(): its middleware would run outside the " +
                "ASP.NET Core integration and could not stamp Ryw-Token on HTTP responses. Call UseReadYourWrites() after ConfigureFunctionsWebApplication().");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Whether the worker's pipeline (registration order, as UseMiddleware builds it) has ours before the integration's.</summary>
    internal static bool MiddlewareOutsideAspNetCore(IServiceCollection services)
    {
        int ours = -1, integration = -1;
        for (var i = 0; i < services.Count; i++)
        {
            var type = services[i].ServiceType;
            if (ours < 0 && type == typeof(RywFunctionsMiddleware))
            {
                ours = i;
            }
            else if (integration < 0 && string.Equals(type.FullName, AspNetCoreMiddlewareTypeName, StringComparison.Ordinal))
            {
                integration = i;
            }
        }

        return ours >= 0 && integration > ours;
    }

    /// <summary>The service collection the worker was built from, kept for the order check.</summary>
    internal sealed class Registrations(IServiceCollection services)
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>App setting names as users type them in Azure (double underscore for the section separator).</summary>
internal static class RywFunctionsWorkerApplicationBuilderExtensionsNames
{
    public const string PrimarySetting = "ServerlessRyw__Primary";
}
