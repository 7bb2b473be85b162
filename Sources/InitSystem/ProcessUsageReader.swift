import CInit
import InitCore

/// Reads `ProcessUsage` from /proc when asked (a metrics scrape, a status request); nothing polls it.
public enum ProcessUsageReader {
    /// One process; nil if it is gone or /proc is not mounted.
    public static func read(_ pid: pid_t) -> ProcessUsage? {
        ProcessTable.read(pid)?.usage
    }

    /// Every member of process group `group` (a service), summed: one /proc scan.
    public static func group(_ group: pid_t) -> ProcessGroupUsage {
        groups([group], in: ProcessTable.snapshot())[group] ?? measured(ProcessUsage(cpuTicks: 0, residentPages: 0))
    }

    /// The members of each of `groups` in a snapshot, summed per group. A group with no member readable
    /// (gone since) is left out.
    static func groups(_ groups: Set<pid_t>, in table: [ProcessEntry]) -> [pid_t: ProcessGroupUsage] {
        var members: [pid_t: [ProcessUsage]] = [:]
        for entry in table where groups.contains(entry.group) {
            if let usage = entry.usage { members[entry.group, default: []].append(usage) }
        }
        return members.mapValues { measured(ProcessUsage.total($0)) }
    }

    /// In seconds and bytes.
    public static func measured(_ usage: ProcessUsage) -> ProcessGroupUsage {
        usage.measured(
            ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK))), pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
    }
}
