using System.Reflection;
using ServerlessRyw.LocalRedis;

namespace ServerlessRyw.Functions.Host.Tests.StandIn;

/// <summary>Where the built functions-sample is: its build output is the Function App directory.</summary>
public static class SampleApp
{
    public const string WorkerDll = "FunctionsSample.dll";

    public static string Directory
    {
        get
        {
            var root = AzuriteExecutable.FindRepositoryRoot(AppContext.BaseDirectory)
                ?? throw new InvalidOperationException("The repository root (ServerlessRyw.sln) was not found above " + AppContext.BaseDirectory);
            var configuration = typeof(SampleApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var directory = Path.Combine(root, "functions-sample", "bin", configuration, "net10.0");
            return File.Exists(Path.Combine(directory, WorkerDll))
                ? directory
                : throw new InvalidOperationException($"{WorkerDll} is not built in {directory}: build the test project (it builds the sample).");
        }
    }
}
