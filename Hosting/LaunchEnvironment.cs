using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Know2Vec.Hosting;

/// <summary>
/// The hosting environment a process starts in. The launch profiles of <c>dotnet run</c> must not set
/// <c>ASPNETCORE_ENVIRONMENT</c> or <c>DOTNET_ENVIRONMENT</c> (a launch profile's variables replace
/// the shell's), so they set <see cref="DefaultVariable"/> instead: the environment to use when
/// nothing else names one. An environment set in the shell or on the command line
/// (<c>-- --environment Production</c>) always wins; with none of these the host's own default
/// (Production) applies.
/// </summary>
public static class LaunchEnvironment
{
    /// <summary>Set by the launch profiles: the environment of <c>dotnet run</c> from a checkout when none is set.</summary>
    public const string DefaultVariable = "KNOW2VEC_DEFAULT_ENVIRONMENT";

    /// <summary>
    /// The environment name to give the host builder (<c>WebApplicationOptions.EnvironmentName</c>), or
    /// null to let the host read it as usual.
    /// </summary>
    public static string? Resolve(string[] args) => Resolve(args, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Resolve(string[])"/> over given environment variables.</summary>
    public static string? Resolve(string[] args, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var fallback = variable(DefaultVariable);
        if (string.IsNullOrWhiteSpace(fallback))
        {
            return null;
        }

        // Where the host reads its environment from: DOTNET_ and ASPNETCORE_ variables, the command line.
        string?[] named =
        [
            variable("DOTNET_ENVIRONMENT"),
            variable("ASPNETCORE_ENVIRONMENT"),
            new ConfigurationBuilder().AddCommandLine(args).Build()[HostDefaults.EnvironmentKey],
        ];
        return named.Any(name => !string.IsNullOrWhiteSpace(name)) ? null : fallback.Trim();
    }
}
