import CInit

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
        for entry in ProcessTable.snapshot() { children[entry.parent, default: []].append(entry.pid) }
        var result: [pid_t] = []
        var queue = children[me] ?? []
        while let pid = queue.popLast() {
            result.append(pid)
            queue += children[pid] ?? []
        }
        return result
    }
}
