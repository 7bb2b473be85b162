import Glibc
import InitCore

/// Reads `ProcessUsage` from /proc when asked (a metrics scrape, a status request); nothing polls it.
public enum ProcessUsageReader {
    /// One process; nil if it is gone or /proc is not mounted.
    public static func read(_ pid: pid_t) -> ProcessUsage? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The command name is at most 64 bytes; every other field is a number: 1 KiB holds the whole line.
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return ProcessUsage.parse(stat: buffer[..<n])
    }

    /// Every member of process group `group` (a service), summed: one /proc scan.
    public static func group(_ group: pid_t) -> ProcessUsage {
        let members = ProcessTable.snapshot().filter { $0.group == group }
        return ProcessUsage.total(members.compactMap { read($0.pid) })
    }

    /// CPU seconds and resident bytes, for metrics.
    public static func seconds(_ usage: ProcessUsage) -> Double {
        Double(usage.cpuTicks) / Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
    }

    public static func residentBytes(_ usage: ProcessUsage) -> UInt64 {
        usage.residentPages * UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))
    }
}
