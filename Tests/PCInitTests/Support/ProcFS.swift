import Foundation
import Glibc

/// Reads the kernel's view of processes from /proc. Every function tolerates processes vanishing midway.
enum ProcFS {
    /// The fields of /proc/PID/stat that tests care about.
    struct Stat {
        var pid: pid_t
        var command: String
        /// R, S, D, T (stopped), t, Z (zombie), X, I.
        var state: Character
        var parent: pid_t
        var processGroup: pid_t
        var session: pid_t
        /// Foreground process group of the controlling terminal (-1 if none).
        var terminalForegroundGroup: pid_t
    }

    static func stat(_ pid: pid_t) -> Stat? {
        guard let text = read("/proc/\(pid)/stat"),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let command = String(text[text.index(after: open)..<close])
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 5, let state = fields[0].first,
            let parent = pid_t(fields[1]), let group = pid_t(fields[2]), let session = pid_t(fields[3]),
            let foreground = pid_t(fields[5])
        else { return nil }
        return Stat(
            pid: pid, command: command, state: state, parent: parent, processGroup: group, session: session,
            terminalForegroundGroup: foreground)
    }

    /// The parent pid alone, parsed from the bytes of /proc/PID/stat: `descendants` reads it for every process
    /// (thousands during the orphan tests) in each test's cleanup, so it skips building a `Stat`.
    static func parent(of pid: pid_t) -> pid_t? {
        guard let text = bytes("/proc/\(pid)/stat"), let close = text.lastIndex(of: UInt8(ascii: ")")) else {
            return nil
        }
        // ") S PPID ...": the state letter, then the parent.
        var index = close + 1
        var field = 0
        var value: pid_t = 0
        var digits = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: " ") {
                if field == 2 { break }
                field += 1
            } else if field == 2, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                value = value * 10 + pid_t(byte - UInt8(ascii: "0"))
                digits += 1
            }
            index += 1
        }
        return digits > 0 ? value : nil
    }

    /// `State:` letter, nil if the process is gone (reaped).
    static func state(_ pid: pid_t) -> Character? { stat(pid)?.state }

    /// True while /proc/PID exists and the process is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let state = state(pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// True once /proc/PID is gone: the process exited and was reaped.
    static func isGone(_ pid: pid_t) -> Bool { stat(pid) == nil }

    /// The `Key:\tvalue` lines of /proc/PID/status.
    static func status(_ pid: pid_t) -> [String: String]? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    static func statusField(_ pid: pid_t, _ name: String) -> String? { status(pid)?[name] }

    /// voluntary + nonvoluntary context switches: how often the process was scheduled.
    static func contextSwitches(_ pid: pid_t) -> Int? {
        guard let fields = status(pid),
            let voluntary = fields["voluntary_ctxt_switches"].flatMap({ Int($0) }),
            let involuntary = fields["nonvoluntary_ctxt_switches"].flatMap({ Int($0) })
        else { return nil }
        return voluntary + involuntary
    }

    /// True while the process sleeps in epoll_wait or epoll_pwait(2) (the first field of /proc/PID/syscall).
    static func isWaitingInEpoll(_ pid: pid_t) -> Bool {
        guard state(pid) == "S", let text = read("/proc/\(pid)/syscall"),
            let number = text.split(separator: " ").first.flatMap({ Int($0) })
        else { return false }
        return epollWaitSyscalls.contains(number)
    }

    #if arch(arm64)
        private static let epollWaitSyscalls = [22, 441]  // epoll_pwait, epoll_pwait2
    #else
        private static let epollWaitSyscalls = [232, 281, 441]  // x86_64: epoll_wait, epoll_pwait, epoll_pwait2
    #endif

    /// Parses a hex signal set field (SigBlk, SigIgn, SigCgt, ...) into signal numbers.
    static func signalSet(_ hex: String) -> Set<Int32> {
        guard let bits = UInt64(hex, radix: 16) else { return [] }
        return Set((1...64).filter { bits & (UInt64(1) << UInt64($0 - 1)) != 0 }.map { Int32($0) })
    }

    static func threadCount(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
    }

    /// argv of the process (empty for zombies and kernel threads, nil if gone).
    static func commandLine(_ pid: pid_t) -> [String]? {
        guard let data = bytes("/proc/\(pid)/cmdline") else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    static func executable(_ pid: pid_t) -> String? { link("/proc/\(pid)/exe") }
    static func workingDirectory(_ pid: pid_t) -> String? { link("/proc/\(pid)/cwd") }

    /// Open descriptors and what they point to (`/dev/null`, `anon_inode:[signalfd]`, `pipe:[123]`, ...).
    static func fileDescriptors(_ pid: pid_t) -> [Int32: String] {
        let directory = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var result: [Int32: String] = [:]
        for name in names {
            if let fd = Int32(name), let target = link("\(directory)/\(name)") { result[fd] = target }
        }
        return result
    }

    /// Every pid currently in /proc (of this pid namespace's mount of /proc).
    static func allPIDs() -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = pid_t(name) { pids.append(pid) }
        }
        return pids
    }

    static func children(of parent: pid_t) -> [pid_t] {
        allPIDs().filter { self.parent(of: $0) == parent }
    }

    /// Children, grandchildren, ... of `root`, from one snapshot of parent links (parents before children).
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for pid in allPIDs() {
            if let parent = parent(of: pid) { children[parent, default: []].append(pid) }
        }
        var result: [pid_t] = []
        var queue = children[root] ?? []
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            result.append(pid)
            queue += children[pid] ?? []
        }
        return result
    }

    /// Processes whose command line contains `marker` (use a unique marker per test).
    static func pids(commandLineContaining marker: String) -> [pid_t] {
        let me = getpid()
        let wanted = Array(marker.utf8)
        guard let first = wanted.first else { return allPIDs().filter { $0 != me } }
        // Raw bytes and memchr/memcmp: this scans every process in cleanups, on a pool thread. The marker has no
        // NUL, so a match never spans two arguments.
        return allPIDs().filter { pid in
            guard pid != me, let line = bytes("/proc/\(pid)/cmdline"), line.count >= wanted.count else { return false }
            return line.withUnsafeBytes { all in
                wanted.withUnsafeBytes { needle in
                    guard let base = all.baseAddress, let target = needle.baseAddress else { return false }
                    var start = 0
                    while start + needle.count <= all.count {
                        guard let hit = memchr(base + start, Int32(first), all.count - start - needle.count + 1)
                        else { return false }
                        let offset = base.distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + offset, target, needle.count) == 0 { return true }
                        start = offset + 1
                    }
                    return false
                }
            }
        }
    }

    /// Processes whose environment holds exactly `entry` (`NAME=value`). Runs in every test's cleanup, often
    /// on a pool thread while thousands of processes exist (the orphan tests): raw reads and a `memcmp` per
    /// entry, not Foundation's Data splitting, which took seconds in a debug build and starved the pool.
    static func pids(withEnvironmentEntry entry: String) -> [pid_t] {
        let me = getpid()
        let wanted = Array(entry.utf8)
        return allPIDs().filter { pid in
            guard pid != me, let environment = bytes("/proc/\(pid)/environ") else { return false }
            return environment.withUnsafeBytes { all in
                wanted.withUnsafeBytes { needle in
                    // memchr and memcmp per entry: a byte loop in Swift is slow in a debug build.
                    guard let base = all.baseAddress, let wanted = needle.baseAddress else { return false }
                    var start = 0
                    while start < all.count {
                        let nul = memchr(base + start, 0, all.count - start)
                        let end = nul.map { base.distance(to: UnsafeRawPointer($0)) } ?? all.count
                        if end - start == needle.count && memcmp(base + start, wanted, needle.count) == 0 {
                            return true
                        }
                        start = end + 1
                    }
                    return false
                }
            }
        }
    }

    /// SIGKILLs every process whose command line contains `marker`: cleanup for escapees.
    static func killAll(commandLineContaining marker: String) {
        for pid in pids(commandLineContaining: marker) { kill(pid, SIGKILL) }
    }

    /// One line per process under `root`, for failure messages.
    static func describeTree(of root: pid_t) -> String {
        ([root] + descendants(of: root)).map { pid in
            let stat = stat(pid)
            let argv = commandLine(pid)?.joined(separator: " ") ?? "?"
            return "  \(pid) ppid=\(stat?.parent ?? 0) pgid=\(stat?.processGroup ?? 0) "
                + "state=\(stat.map { String($0.state) } ?? "?") \(argv)"
        }.joined(separator: "\n")
    }

    private static func read(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A /proc file's bytes with plain open/read (these files report size 0, so read until the end).
    private static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return result.isEmpty ? nil : result }
            if n == 0 { return result }
            result += chunk[..<n]
        }
    }

    private static func link(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }
}
