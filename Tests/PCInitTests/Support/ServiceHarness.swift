import CInit
import Foundation
import Glibc
import Testing

/// A `process-compose.yml` in a fresh temporary directory that is also the scratch area its services write
/// into (timestamps, pids, flags). Removed with its contents when the object goes away.
final class ServiceProject: @unchecked Sendable {
    let directory: TemporaryDirectory
    /// A marker unique to this test: put it into service command lines so leftovers can be found and killed.
    let marker: String
    let configPath: String

    /// `yaml` is the config text; `{dir}` and `{marker}` in it are replaced by the scratch directory and the marker.
    init(_ label: String, _ yaml: String) throws {
        directory = try TemporaryDirectory(prefix: "pcinit-svc-\(label)")
        marker = uniqueMarker(label)
        configPath = directory.path("process-compose.yml")
        try directory.write("process-compose.yml", substitute(yaml))
    }

    var path: String { directory.path }

    func substitute(_ text: String) -> String {
        text.replacingOccurrences(of: "{dir}", with: directory.path).replacingOccurrences(of: "{marker}", with: marker)
    }

    /// `-f <config>` followed by `extra`.
    func arguments(_ extra: [String] = []) -> [String] { ["-f", configPath] + extra }

    func exists(_ name: String) -> Bool { directory.exists(name) }
    func read(_ name: String) -> String? { directory.read(name) }

    /// The non-empty lines of a scratch file (empty if it does not exist).
    func lines(_ name: String) -> [String] {
        (read(name) ?? "").split(separator: "\n").map(String.init)
    }

    /// Seconds since the epoch written one per line (`date +%s.%N >> file`).
    func timestamps(_ name: String) -> [Double] { lines(name).compactMap { Double($0) } }

    /// The first timestamp in a file.
    func timestamp(_ name: String) -> Double? { timestamps(name).first }

    /// SIGKILLs every process whose command line carries this project's marker or scratch directory.
    func killLeftovers() {
        ProcFS.killAll(commandLineContaining: marker)
        ProcFS.killAll(commandLineContaining: directory.path)
    }
}

/// A running pcinit in config mode, with helpers to read its `pcinit | ...` messages.
final class ServiceRun: @unchecked Sendable {
    let project: ServiceProject
    let pcinit: RunningInit

    private init(project: ServiceProject, pcinit: RunningInit) {
        self.project = project
        self.pcinit = pcinit
    }

    /// Starts `pcinit -f <config> extra...` in `mode`, in the project directory, with `environment` on top of
    /// the clean environment. Pair with `defer { run.stop() }`.
    static func start(
        _ project: ServiceProject,
        _ extra: [String] = [],
        mode: InitMode = .subreaper,
        environment: [String: String] = [:],
        workingDirectory: String? = nil
    ) async throws -> ServiceRun {
        let pcinit = try await RunningInit.start(
            project.arguments(extra), mode: mode, environment: .clean.with(environment),
            workingDirectory: workingDirectory ?? project.path)
        return ServiceRun(project: project, pcinit: pcinit)
    }

    var stdout: String { pcinit.process.stdout }
    var stderr: String { pcinit.process.stderr }

    /// pcinit's own messages, without the `pcinit | ` prefix.
    var messages: [String] { Self.messages(in: stderr) }

    /// `pcinit | ` is padded to the services' width (`pcinit     | `).
    static func messages(in stderr: String) -> [String] {
        stderr.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("pcinit") else { return nil }
            let rest = line.dropFirst("pcinit".count).drop { $0 == " " }
            return rest.hasPrefix("| ") ? String(rest.dropFirst(2)) : nil
        }
    }

    /// Waits until one of pcinit's messages contains `text`; returns it (nil at the timeout).
    @discardableResult
    func waitForMessage(_ text: String, timeout: Duration = .seconds(10)) async -> String? {
        await Poll.value(timeout: timeout, every: .milliseconds(10)) { messages.first { $0.contains(text) } }
    }

    /// Waits until `count` of pcinit's messages contain `text`.
    func waitForMessages(_ text: String, count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await Poll.until(timeout: timeout, every: .milliseconds(10)) {
            messages.filter { $0.contains(text) }.count >= count
        }
    }

    /// Waits until a scratch file exists.
    func waitForFile(_ name: String, timeout: Duration = .seconds(10)) async -> Bool {
        await Poll.until(timeout: timeout, every: .milliseconds(10)) { project.exists(name) }
    }

    /// Waits until every one of the scratch files exists, e.g. the `NAME.trapped` markers services write once
    /// their signal traps are installed (a signal sent before that would kill them instead).
    func waitForFiles(_ names: [String], timeout: Duration = .seconds(10)) async -> Bool {
        await Poll.until(timeout: timeout, every: .milliseconds(10)) { names.allSatisfy(project.exists) }
    }

    /// Waits until a scratch file has at least `count` lines.
    func waitForLines(_ name: String, count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await Poll.until(timeout: timeout, every: .milliseconds(10)) { project.lines(name).count >= count }
    }

    /// The first timestamp in a scratch file, once it is there (a file can exist before `date` wrote to it).
    func timestamp(_ name: String, timeout: Duration = .seconds(5)) async -> Double? {
        await Poll.value(timeout: timeout, every: .milliseconds(10)) { project.timestamp(name) }
    }

    /// Every `NAME started (pid N)` message for `name`, in order: pids as pcinit sees them.
    func startedPIDs(_ name: String) -> [pid_t] {
        messages.compactMap { Self.startedPID(name, in: $0) }
    }

    static func startedPID(_ name: String, in message: String) -> pid_t? {
        let prefix = "\(name) started (pid "
        guard message.hasPrefix(prefix), message.hasSuffix(")") else { return nil }
        return pid_t(message.dropFirst(prefix.count).dropLast())
    }

    /// The host pid of a process pcinit reported with `pid`: the same pid when pcinit is not PID 1, else the
    /// descendant whose innermost NSpid is `pid`.
    func hostPID(_ pid: pid_t) -> pid_t? {
        switch pcinit.mode {
        case .subreaper: return pid
        case .pid1:
            return ProcFS.descendants(of: pcinit.pid).first { candidate in
                ProcFS.statusField(candidate, "NSpid")?.split(whereSeparator: { $0 == "\t" || $0 == " " })
                    .last.flatMap { pid_t($0) } == pid
            }
        }
    }

    /// Sends `signal` to pcinit; returns when it was sent.
    @discardableResult
    func send(_ signal: Int32) -> ContinuousClock.Instant { pcinit.send(signal) }

    func wait(timeout: Duration = .seconds(30)) async throws -> RunResult { try await pcinit.wait(timeout: timeout) }

    /// Kills pcinit, everything below it, and anything carrying the project's marker.
    func stop() {
        pcinit.killTree()
        project.killLeftovers()
    }

    /// For failure messages.
    var transcript: String { "--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)" }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
func freeTCPPort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
            bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
        }
    }
    precondition(bound, "cannot bind 127.0.0.1:0")
    return UInt16(bigEndian: address.sin_port)
}

/// A plain HTTP/1.0 GET to 127.0.0.1:port; the whole response (status line, headers, body), nil on error.
func httpGet(port: UInt16, path: String = "/", timeout: Duration = .seconds(2)) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    let micros = max(1000, timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000)
    var limit = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected else { return nil }
    let request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    guard request.withCString({ send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }) > 0 else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response += buffer[..<n]
    }
    return response.isEmpty ? nil : String(decoding: response, as: UTF8.self)
}

/// True if something accepts TCP connections on 127.0.0.1:port.
func portIsOpen(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// The full path of `program` on PATH, nil if absent (tests that need it skip, with the reason printed).
func findExecutable(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
    let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    for directory in directories {
        let candidate = "\(directory)/\(program)"
        // access(2), not FileManager: it follows relative symlinks (/usr/bin/redis-server -> redis-check-rdb).
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// The repository root (for the examples/ directory).
let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// The position of the first message containing `text` (for ordering checks).
func position(of text: String, in messages: [String]) -> Int? { messages.firstIndex { $0.contains(text) } }

extension Trait where Self == ConditionTrait {
    /// For tests that need programs beyond the base image (redis-server, nginx): skipped, with the reason
    /// printed, when one is missing.
    static func needsTools(_ programs: String...) -> Self {
        let missing = programs.filter { findExecutable($0) == nil }
        if !missing.isEmpty {
            FileHandle.standardError.write(
                Data("PCInitTests: skipping a test: \(missing.joined(separator: ", ")) not installed\n".utf8))
        }
        return .enabled(if: missing.isEmpty, "needs \(programs.joined(separator: ", ")); missing: \(missing)")
    }
}

/// Shell snippets for service commands (run by pcinit's default `/bin/sh -c`).
enum Snippet {
    /// Runs until SIGTERM, then exits 0 at once.
    /// No single quotes: it goes into single-quoted YAML scalars.
    static let idle = #"trap "exit 0" TERM; while :; do sleep 1 & wait $!; done"#
    /// `idle` that touches `{dir}/NAME.trapped` once its TERM trap is installed.
    static func idle(marking name: String) -> String {
        #"trap "exit 0" TERM; "# + trapped(name) + #"; while :; do sleep 1 & wait $!; done"#
    }
    /// Touches `{dir}/NAME.trapped`: put it right after a service's `trap`, and wait for the file before
    /// signalling (`ServiceRun.waitForFiles`).
    static func trapped(_ name: String) -> String { "touch {dir}/\(name).trapped" }
    /// Appends the current time (seconds since the epoch, ns precision) to `{dir}/NAME`.
    static func stamp(_ name: String) -> String { "date +%s.%N >> {dir}/\(name)" }
}
