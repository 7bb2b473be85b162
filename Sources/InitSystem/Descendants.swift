import Glibc

/// Signals everything below pcinit. As PID 1 that is every other process in the namespace (kill(-1));
/// as a subreaper it is the process tree under our pid, found through /proc.
public enum Descendants {
    /// Sends `signal` to every descendant; returns how many were signalled (an estimate as PID 1).
    @discardableResult
    public static func signalAll(_ signal: Int32) -> Int {
        if getpid() == 1 {
            return kill(-1, signal) == 0 ? 1 : 0
        }
        let pids = list()
        for pid in pids { kill(pid, signal) }
        return pids.count
    }

    /// Descendants of this process, from a snapshot of /proc/*/stat parent links.
    public static func list() -> [pid_t] {
        let me = getpid()
        var children: [pid_t: [pid_t]] = [:]
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard let pid = pid_t(name), let parent = parentOf(pid) else { continue }
            children[parent, default: []].append(pid)
        }
        var result: [pid_t] = []
        var queue = children[me] ?? []
        while let pid = queue.popLast() {
            result.append(pid)
            queue += children[pid] ?? []
        }
        return result
    }

    /// The ppid field of /proc/PID/stat (after the parenthesised command name, which may hold spaces).
    static func parentOf(_ pid: pid_t) -> pid_t? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = buffer[..<n]
        guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = text[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return nil }
        return pid_t(String(decoding: fields[1], as: UTF8.self))
    }
}
