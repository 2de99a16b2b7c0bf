using System.Diagnostics;

namespace Tips.Bench.Stack;

/// <summary>The Release build of one checkout: the two services, the migrator, and the commit they were built from.</summary>
internal sealed record ServiceBuild(string Root, string ApiDll, string ServingDll, string MigratorDll, string Commit)
{
    private const string Output = "bin/Release/net10.0";

    public static ServiceBuild Locate(string root)
    {
        var api = Dll(root, "services/Tips.Api", "Tips.Api.dll");
        var serving = Dll(root, "services/Tips.Serving", "Tips.Serving.dll");
        var migrator = Dll(root, "migrations/Tips.Migrations", "Tips.Migrations.dll");
        var missing = new[] { api, serving, migrator }.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            throw new BenchSetupException(
                $"No Release build in {root}: missing {string.Join(", ", missing.Select(m => Path.GetRelativePath(root, m)))}. " +
                $"Build it first: dotnet build \"{Path.Combine(root, "Tips.sln")}\" -c Release (./tips bench does this for its own checkout).");
        }
        return new ServiceBuild(root, api, serving, migrator, CommitOf(root));
    }

    private static string Dll(string root, string project, string name) => Path.Combine(root, project, Output, name);

    /// <summary>The checked-out commit, with <c>+dirty</c> when files differ from it; <c>unknown</c> outside git.</summary>
    private static string CommitOf(string root)
    {
        var head = Git(root, "rev-parse", "HEAD");
        if (head is null)
        {
            return "unknown";
        }
        var status = Git(root, "status", "--porcelain", "--untracked-files=no");
        return status is { Length: > 0 } ? head + "+dirty" : head;
    }

    private static string? Git(string root, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-C");
            start.ArgumentList.Add(root);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
