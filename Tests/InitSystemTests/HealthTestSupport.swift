import CInit
import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// A health source the test thread can change while the loop thread reads it.
final class TestHealthSource: HealthSource, @unchecked Sendable {
    private let lock = NSLock()
    private var ready: Bool
    private var stopping: Bool

    init(ready: Bool = true, stopping: Bool = false) {
        self.ready = ready
        self.stopping = stopping
    }

    var isReady: Bool { lock.withLock { ready } }
    var isStopping: Bool { lock.withLock { stopping } }
    func set(ready: Bool? = nil, stopping: Bool? = nil) {
        lock.withLock {
            if let ready { self.ready = ready }
            if let stopping { self.stopping = stopping }
        }
    }
    func statusBody() -> String { #"{"ready":true,"stopping":false,"services":[]}"# }
    func metricsBody() -> String { "pcinit_ready 1\n" }
}

/// A value shared between the loop thread and the test thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func read<R>(_ body: (Value) -> R) -> R { lock.withLock { body(value) } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&value) } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A HealthServer in its own EventLoop on its own thread (the loop is single-threaded: both are created and used
/// only there). `stop()` wakes the loop through a pipe, closes the server and joins the thread.
final class RunningHealthServer: @unchecked Sendable {
    let port: UInt16
    private let stopWriter: Int32
    private let stopReader: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(
        host: String = "127.0.0.1", limits: HealthServer.Limits = .init(), source: TestHealthSource = .init(),
        onLoop: @escaping @Sendable (EventLoop) -> Void = { _ in }
    ) throws {
        var fds: [Int32] = [-1, -1]
        guard pci_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw TestFailure("pipe2 failed") }
        (stopReader, stopWriter) = (fds[0], fds[1])
        let started = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<UInt16, TestFailure>?>(nil)
        let (reader, finished) = (stopReader, finished)
        let thread = Thread {
            do {
                let loop = try EventLoop()
                let server = try HealthServer(
                    loop: loop, address: .listen(host: host, port: 0), source: source, limits: limits)
                try loop.watch(reader, for: UInt32(EPOLLIN.rawValue)) { _ in loop.stop() }
                onLoop(loop)
                outcome.update { $0 = .success(server.boundPort) }
                started.signal()
                loop.run()
                server.close()
            } catch {
                outcome.update { $0 = .failure(TestFailure("server setup: \(error)")) }
                started.signal()
            }
            finished.signal()
        }
        thread.start()
        started.wait()
        switch outcome.read({ $0 }) {
        case .success(let port): self.port = port
        case .failure(let failure):
            finished.wait()
            Glibc.close(stopReader)
            Glibc.close(stopWriter)
            throw failure
        case nil: throw TestFailure("server thread reported nothing")
        }
    }

    func stop() {
        var byte: UInt8 = 1
        _ = write(stopWriter, &byte, 1)
        finished.wait()
        Glibc.close(stopReader)
        Glibc.close(stopWriter)
    }
}

/// A parsed HTTP answer.
struct HTTPReply {
    var status: Int
    var statusLine: String
    var headers: [String: String]
    var body: String

    init(_ raw: [UInt8]) throws {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no end of head in \(text)") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        statusLine = lines[0]
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { throw TestFailure("bad status line \(text)") }
        self.status = status
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        self.headers = headers
        body = String(text[split.upperBound...])
    }
}

/// Blocking client sockets with poll-bounded reads, so no test can hang.
enum TestClient {
    static func connect(host: String = "127.0.0.1", port: UInt16) throws -> Int32 {
        guard let address = SocketAddress(host: host, port: port) else { throw TestFailure("bad host \(host)") }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(Glibc.errno)))") }
        if address.withSockaddr({ Glibc.connect(fd, $0, $1) }) != 0 {
            let message = String(cString: strerror(Glibc.errno))
            Glibc.close(fd)
            throw TestFailure("connect \(host):\(port): \(message)")
        }
        return fd
    }

    /// Sends what it can; false once the server has closed.
    @discardableResult
    static func send(_ fd: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Reads until the server closes (true) or `timeout` passes (false).
    static func readUntilClosed(_ fd: Int32, timeout: Duration = .seconds(3)) -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return (bytes, false) }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, Int32((left / .milliseconds(1)).rounded(.up))) <= 0 { continue }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (bytes, true) }
            bytes += chunk[0..<count]
        }
    }

    /// True when the server has closed the connection (EOF or reset already pending).
    static func isClosedByServer(_ fd: Int32) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    /// One raw request on a fresh connection; the whole answer, which must end with the server closing.
    static func exchange(host: String = "127.0.0.1", port: UInt16, raw request: String) throws -> HTTPReply {
        let fd = try connect(host: host, port: port)
        defer { Glibc.close(fd) }
        send(fd, request)
        let (bytes, closed) = readUntilClosed(fd)
        guard closed else { throw TestFailure("server did not close after answering") }
        return try HTTPReply(bytes)
    }

    static func get(_ path: String, method: String = "GET", host: String = "127.0.0.1", port: UInt16) throws
        -> HTTPReply
    {
        try exchange(host: host, port: port, raw: "\(method) \(path) HTTP/1.1\r\nHost: test\r\n\r\n")
    }
}

/// Checks `condition` every few milliseconds until it holds (true) or `timeout` passes (false). It sleeps
/// between checks: only for suites that run on dedicated threads (`.onDedicatedThread`), never on the pool.
func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        usleep(5_000)
    }
    return true
}

/// Connections the kernel completed on 127.0.0.1:`port` that the server has not accepted yet: the listening
/// socket's rx_queue in /proc/net/tcp. nil if nothing listens there.
func pendingAccepts(port: UInt16) -> Int? {
    guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return nil }
    let local = "0100007F:" + String(port, radix: 16, uppercase: true).leftPadded(to: 4)  // 127.0.0.1, host order
    for line in table.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 4, fields[1] == local, fields[3] == "0A" else { continue }  // 0A: LISTEN
        let queues = fields[4].split(separator: ":")
        return queues.count == 2 ? Int(queues[1], radix: 16) : nil
    }
    return nil
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Lets the test process hold a thousand sockets (both ends live in this process).
func raiseDescriptorLimit() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// An IPv4 address of this machine that is not loopback, to reach the server as a non-loopback peer.
func nonLoopbackIPv4() -> String? {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0 else { return nil }
    defer { freeifaddrs(list) }
    var entry = list
    while let current = entry {
        defer { entry = current.pointee.ifa_next }
        guard let address = current.pointee.ifa_addr, Int32(address.pointee.sa_family) == AF_INET else { continue }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        let ipv4 = UnsafeRawPointer(address).assumingMemoryBound(to: sockaddr_in.self)
        var raw = ipv4.pointee.sin_addr
        inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !host.hasPrefix("127.") { return host }
    }
    return nil
}
