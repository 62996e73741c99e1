namespace ServerlessRyw.LocalRedis;

/// <summary>Finds the <c>redis-server</c> binary.</summary>
internal static class RedisExecutable
{
    public static string Locate(string? explicitPath) => Locate(explicitPath, Environment.GetEnvironmentVariable("PATH"));

    public static string Locate(string? explicitPath, string? pathVariable)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new RedisServerNotFoundException($"redis-server was not found at '{explicitPath}'.");
        }

        string fileName = OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server";
        string[] directories = (pathVariable ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new RedisServerNotFoundException();
    }
}
