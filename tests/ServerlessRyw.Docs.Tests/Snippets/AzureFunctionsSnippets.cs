using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace ServerlessRyw.Docs.Tests.Snippets;

/// <summary>docs/azure-functions.md. Compiled, never called.</summary>
internal static class AzureFunctionsSnippets
{
    public static void Program(string[] args)
    {
        #region FunctionsProgram
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseReadYourWrites();
        builder.Build().Run();
        #endregion
    }
}
