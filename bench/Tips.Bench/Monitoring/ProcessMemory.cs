using System.Globalization;

namespace Tips.Bench.Monitoring;

internal static class ProcessMemory
{
    /// <summary>Resident set size of <paramref name="pid"/> (VmRSS of /proc/&lt;pid&gt;/status), or null when gone.</summary>
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
