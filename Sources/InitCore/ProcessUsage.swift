/// CPU time and resident memory of one process, from the text of `/proc/PID/stat` (for per-service metrics
/// and status; pure, the reading is InitSystem's `ProcessUsageReader`).
public struct ProcessUsage: Sendable, Equatable {
    /// utime + stime, plus cutime + cstime (children the process has waited for: a shell's finished
    /// commands), in clock ticks (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    public var cpuTicks: UInt64
    /// Resident set size, in pages.
    public var residentPages: UInt64

    public init(cpuTicks: UInt64, residentPages: UInt64) {
        self.cpuTicks = cpuTicks
        self.residentPages = residentPages
    }

    /// Fields 14-17 (utime, stime, cutime, cstime) and 24 (rss) of proc(5)'s `stat`, counted after the command
    /// name, which is in parentheses and may itself hold spaces and `)`: the last `)` ends it.
    public static func parse(stat: some BidirectionalCollection<UInt8>) -> ProcessUsage? {
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After ") ": field 3 (state) is index 0, so field N is index N - 3.
        let fields = stat[stat.index(after: close)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 21, let utime = number(fields[11]), let stime = number(fields[12]),
            let rss = number(fields[21])
        else { return nil }
        // cutime and cstime are signed in the kernel's format; a value that does not read as a count adds nothing.
        let children = (number(fields[13]) ?? 0) + (number(fields[14]) ?? 0)
        return ProcessUsage(cpuTicks: utime + stime + children, residentPages: rss)
    }

    private static func number(_ bytes: some Collection<UInt8>) -> UInt64? {
        UInt64(String(decoding: bytes, as: UTF8.self).filter { $0 != "\n" })
    }

    /// The sum over several processes (a service's process group).
    public static func total(_ usages: [ProcessUsage]) -> ProcessUsage {
        usages.reduce(ProcessUsage(cpuTicks: 0, residentPages: 0)) {
            ProcessUsage(cpuTicks: $0.cpuTicks + $1.cpuTicks, residentPages: $0.residentPages + $1.residentPages)
        }
    }

    /// In seconds and bytes, with the system's tick rate and page size.
    public func measured(ticksPerSecond: Int, pageSize: Int) -> ProcessGroupUsage {
        ProcessGroupUsage(
            cpuSeconds: Double(cpuTicks) / Double(max(1, ticksPerSecond)),
            residentBytes: residentPages * UInt64(max(1, pageSize)))
    }
}

/// A service's process group, summed over its members: what `status` and `/metrics` show as CPU and MEM.
/// Resident memory counts pages shared between members once per member, as `ps` does.
public struct ProcessGroupUsage: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: UInt64

    public init(cpuSeconds: Double, residentBytes: UInt64) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
    }
}
