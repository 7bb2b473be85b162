import CInit
import Foundation
import Glibc
import InitCore

@testable import InitSystem

/// The signal state a child of a plain process gets: nothing blocked, every catchable signal default.
func defaultInheritedSignals() -> InheritedSignals {
    var mask = sigset_t()
    sigemptyset(&mask)
    var reset = sigset_t()
    sigemptyset(&reset)
    for signal in Signals.all where signal != SIGKILL && signal != SIGSTOP { sigaddset(&reset, signal) }
    return InheritedSignals(mask: mask, ignored: [], resetToDefault: reset)
}

/// Stands in for ChildRegistry in tests: tests share one process, so nobody may call `waitpid(-1)`;
/// this waits for exactly the pids it was handed.
final class TestChildren {
    private(set) var spawned: [pid_t] = []
    private var handlers: [pid_t: (ChildTermination) -> Void] = [:]

    func register(_ pid: pid_t, _ handler: @escaping (ChildTermination) -> Void) {
        spawned.append(pid)
        handlers[pid] = handler
    }

    var waiting: Int { handlers.count }

    /// A test that gave up early must still not leave a zombie: the exit-test monitor of Swift Testing spins
    /// on any unreaped child of the test process.
    deinit {
        for pid in handlers.keys {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && Glibc.errno == EINTR {}
        }
    }

    func poll() {
        for (pid, handler) in handlers {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                handlers[pid] = nil
                handler(Reaper.decode(status))
            }
        }
    }
}

/// Runs `loop` until `done()` holds (and then `settle` longer, so late or duplicate reports show up) or
/// `limit` passed, checking every few milliseconds and calling `tick` each time. `EventLoop.stop()` is final,
/// so this can run a given loop only once: a test does all its loop work in one call.
func runLoop(
    _ loop: EventLoop,
    for limit: Duration,
    settle: Duration = .zero,
    tick: @escaping () -> Void = {},
    until done: @escaping () -> Bool
) {
    let giveUp = MonotonicClock.now() + limit
    var doneAt: Instant?
    func check() {
        tick()
        let now = MonotonicClock.now()
        if doneAt == nil && done() { doneAt = now }
        if let doneAt, now - doneAt >= settle {
            loop.stop()
            return
        }
        if now >= giveUp {
            loop.stop()
            return
        }
        loop.schedule(at: now + .milliseconds(5)) { check() }
    }
    loop.schedule(at: MonotonicClock.now()) { check() }
    loop.run()
}

struct CheckOutcome {
    var success: Bool
    var detail: String
    var elapsed: Duration
}

/// A ProbeRunner on a private loop, with exits fed from `TestChildren`.
final class ProbeHarness {
    let loop: EventLoop
    let children = TestChildren()
    let runner: ProbeRunner

    /// `resolver`: where tcp and http checks look names up (tests point it at their own files and DNS server).
    init(shell: ShellConfig = .init(), resolver: ResolverSettings = .init()) throws {
        loop = try EventLoop()
        let children = self.children
        runner = ProbeRunner(loop: loop, signals: defaultInheritedSignals(), shell: shell, resolver: resolver) {
            children.register($0, $1)
        }
    }

    /// Runs one check to its end (or `limit`) and returns what the completion reported, once every process
    /// it started is reaped. Runs the loop, so call it once per harness.
    func check(
        _ probe: ProbeConfig,
        environment: [String] = ["PATH=/usr/local/bin:/usr/bin:/bin"],
        workingDirectory: String? = nil,
        process: ProcessSettings = .init(),
        limit: Duration = .seconds(10)
    ) -> CheckOutcome? {
        var outcome: CheckOutcome?
        var calls = 0
        let start = MonotonicClock.now()
        runner.run(probe, environment: environment, workingDirectory: workingDirectory, process: process) {
            success, detail in
            calls += 1
            outcome = CheckOutcome(success: success, detail: detail, elapsed: MonotonicClock.now() - start)
        }
        let children = self.children
        // The settle time also lets a second (wrong) report show up.
        runLoop(loop, for: limit, settle: .milliseconds(30), tick: children.poll) {
            outcome != nil && children.waiting == 0
        }
        precondition(calls <= 1, "completion called \(calls) times")
        return outcome
    }
}

func execProbe(_ command: String, workingDir: String? = nil, timeout: Duration = .seconds(2)) -> ProbeConfig {
    ProbeConfig(check: .exec(command: command, workingDir: workingDir), timeout: timeout)
}

func tcpProbe(host: String, port: Int, timeout: Duration = .seconds(2)) -> ProbeConfig {
    ProbeConfig(check: .tcp(host: host, port: port), timeout: timeout)
}

func httpProbe(
    host: String = "127.0.0.1",
    port: Int,
    path: String = "/",
    scheme: String = "http",
    headers: [String: String] = [:],
    statusCode: Int = 200,
    timeout: Duration = .seconds(2)
) -> ProbeConfig {
    ProbeConfig(
        check: .httpGet(host: host, port: port, path: path, scheme: scheme, headers: headers, statusCode: statusCode),
        timeout: timeout
    )
}

/// A fresh empty directory under /tmp, removed by the caller.
func makeTemporaryDirectory(_ label: String) -> String {
    var template = Array("/tmp/pcinit-\(label)-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { fatalError("mkdtemp: \(Glibc.errno)") }
    return String(cString: created)
}

/// A TCP listening socket on loopback, port chosen by the kernel. Connections complete in the kernel's
/// backlog even if nobody accepts them.
final class TestListener {
    let fd: Int32
    let port: Int

    /// nil if the address family is unavailable (no IPv6 on this host).
    init?(ipv6: Bool = false, backlog: Int32 = 16) {
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        var length: socklen_t
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            close(fd)
            return nil
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        port = withUnsafeBytes(of: actual) { raw in
            Int(
                UInt16(
                    bigEndian: ipv6
                        ? raw.load(as: sockaddr_in6.self).sin6_port : raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    deinit { close(fd) }
}

/// A port nothing listens on: bound, then released.
func closedLoopbackPort() -> Int {
    let listener = TestListener()!
    return listener.port
}

/// A one-thread HTTP server for tests: answers each connection with a canned response (after reading the
/// request head) and records what it received.
final class TestHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case respond(String)
        /// Close right after reading the request.
        case hangUp
    }

    private let listener: TestListener
    private let lock = NSLock()
    private var requestTexts: [String] = []
    private let finished = DispatchSemaphore(value: 0)
    var port: Int { listener.port }

    init(_ behaviour: Behaviour) {
        listener = TestListener()!
        let listenFD = listener.fd
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listenFD, nil, nil)
                if client < 0 {
                    if Glibc.errno == EINTR { continue }
                    break
                }
                let head = Self.readHead(client)
                lock.withLock { requestTexts.append(head) }
                if case .respond(let text) = behaviour {
                    var bytes = Array(text.utf8)
                    bytes.withUnsafeMutableBytes { _ = send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                close(client)
            }
            finished.signal()
        }
    }

    var requests: [String] { lock.withLock { requestTexts } }

    /// Stops the accept loop and waits for the thread.
    func stop() {
        shutdown(listener.fd, Int32(SHUT_RDWR))
        finished.wait()
    }

    private static func readHead(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while data.count < 16384 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += chunk.prefix(n)
            if String(decoding: data, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Starts a program for a test (not through any check) and waits for exactly that pid.
struct TestProcess {
    let pid: pid_t

    init(_ arguments: [String], environment: [String] = ProcessEnvironment.current()) throws {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var request = SpawnRequest(arguments: arguments, environment: environment)
        request.stdinFD = devNull
        request.stdoutFD = devNull
        request.closeFrom = 3
        pid = try Spawner.spawn(request, signals: defaultInheritedSignals())
    }

    /// Blocks until the process ends.
    @discardableResult
    func wait() -> ChildTermination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && Glibc.errno == EINTR {}
        return Reaper.decode(status)
    }

    /// How it ended, if it has; never blocks.
    func poll() -> ChildTermination? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? Reaper.decode(status) : nil
    }

    func terminate() -> ChildTermination {
        kill(pid, SIGTERM)
        return wait()
    }
}
