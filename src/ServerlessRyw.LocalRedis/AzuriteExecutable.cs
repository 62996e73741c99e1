namespace ServerlessRyw.LocalRedis;

/// <summary>
/// Finds the <c>azurite</c> launcher: <c>RYW_AZURITE</c>, then the repository's pinned copy
/// (<c>build/tools/node_modules/.bin/azurite</c>, installed by <c>npm ci --prefix build/tools</c>), then PATH.
/// </summary>
public static class AzuriteExecutable
{
    /// <summary>The environment variable that names an Azurite launcher explicitly.</summary>
    public const string EnvironmentVariable = "RYW_AZURITE";

    /// <summary>The file that marks the repository root.</summary>
    public const string RepositoryMarker = "ServerlessRyw.sln";

    /// <summary>Locates the launcher.</summary>
    /// <returns>Its full path.</returns>
    /// <exception cref="AzuriteStartException">It is nowhere to be found; the message says how to install it.</exception>
    public static string Locate() =>
        Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), AppContext.BaseDirectory, Environment.GetEnvironmentVariable("PATH"));

    internal static string Locate(string? explicitPath, string startDirectory, string? pathVariable)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new AzuriteStartException($"{EnvironmentVariable} names '{explicitPath}', which does not exist.");
        }

        var fileName = OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite";
        if (FindRepositoryRoot(startDirectory) is { } root)
        {
            var pinned = Path.Combine(root, "build", "tools", "node_modules", ".bin", fileName);
            if (File.Exists(pinned))
            {
                return pinned;
            }
        }

        foreach (var directory in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var candidate = Path.Combine(directory, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new AzuriteStartException(
            $"Azurite was not found: run 'npm ci --prefix build/tools' in the repository, set {EnvironmentVariable} to the azurite launcher, or put it on PATH.");
    }

    /// <summary>The folder holding <see cref="RepositoryMarker"/>, walking up from <paramref name="startDirectory"/>.</summary>
    /// <param name="startDirectory">Where to start, usually <see cref="AppContext.BaseDirectory"/>.</param>
    /// <returns>The repository root, or <see langword="null"/> outside the repository.</returns>
    public static string? FindRepositoryRoot(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, RepositoryMarker)))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
