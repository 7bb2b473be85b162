import CInit
import InitCore

/// One process as /proc/PID/stat shows it: what pcinit needs to find a service's processes, and what they use.
struct ProcessEntry {
    var pid: pid_t
    var parent: pid_t
    var group: pid_t
    /// From the same read of the same line, so a status request reads each process once.
    var usage: ProcessUsage?
}

/// A snapshot of every process pcinit can see, read from /proc only when someone asks (status, cleanup):
/// nothing polls it.
enum ProcessTable {
    static func snapshot() -> [ProcessEntry] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var entries: [ProcessEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard let pid = pid_t(name), let found = read(pid) else { continue }
            entries.append(found)
        }
        return entries
    }

    /// The ppid and pgrp fields of /proc/PID/stat (after the parenthesised command name, which may hold spaces).
    static func read(_ pid: pid_t) -> ProcessEntry? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // The command name is at most 64 bytes; every other field is a number: 1 KiB holds the whole line.
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = buffer[..<n]
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 2,
            let parent = pid_t(String(decoding: fields[1], as: UTF8.self)),
            let group = pid_t(String(decoding: fields[2], as: UTF8.self))
        else { return nil }
        return ProcessEntry(pid: pid, parent: parent, group: group, usage: ProcessUsage.parse(stat: text))
    }

    /// The process that does a service's work, for `status`: with dash as /bin/sh, `sh -c CMD` (one simple
    /// command, see `ShellCommand.isSimple`) keeps the shell as the group's leader and CMD as its only child,
    /// and CMD's pid is the one an operator wants.
    /// Once the leader is gone, the group's one remaining top process. Otherwise the leader itself.
    static func mainPID(group: pid_t, leaderAlive: Bool, viaShell: Bool, in table: [ProcessEntry]) -> pid_t {
        let members = table.filter { $0.group == group && $0.pid != group }
        if leaderAlive {
            guard viaShell else { return group }
            let children = members.filter { $0.parent == group }
            return children.count == 1 ? children[0].pid : group
        }
        let memberPIDs = Set(members.map { $0.pid })
        let tops = members.filter { !memberPIDs.contains($0.parent) }.map { $0.pid }.sorted()
        return tops.first ?? group
    }
}
