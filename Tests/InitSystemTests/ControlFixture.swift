import CInit
import Foundation
import Glibc
import InitCore

@testable import InitSystem

/// A control server on a temp socket with a fake pcinit behind it: services `web` and `db`, a few log
/// lines, followers that the test can push lines to. Everything but `socketPath` lives on the loop thread.
final class ControlFixture: @unchecked Sendable {
    static let statusResult = StatusReport(
        ready: true, stopping: false,
        services: [
            StatusRow(name: "web", state: "running", ready: true, pid: 42, uptimeSeconds: 12.5),
            StatusRow(name: "db", state: "running", ready: true, pid: 43, restarts: 1, uptimeSeconds: 3),
        ])
    static let logLines = [
        LogEntry(service: "web", line: "listening on :8080"), LogEntry(service: "db", line: "ready"),
        LogEntry(service: "web", line: "GET /"),
    ]

    let directory = TempDirectory()
    let socketPath: String
    private var loopThread: LoopThread!

    // Loop thread only.
    private(set) var server: ControlServer?
    private(set) var followers: [ControlConnection] = []
    private(set) var droppedFollowers = 0
    /// Pushed to each new follower shortly after it subscribes, after which its connection is closed.
    var scriptedFollow: [LogEntry]?

    init(
        limits: ControlServer.Limits = .init(), socketName: String = "pcinit.sock", before: (String) -> Void = { _ in }
    )
        throws
    {
        socketPath = directory.path + "/" + socketName
        before(socketPath)
        do {
            loopThread = try LoopThread { [self] loop in
                server = try ControlServer(loop: loop, path: socketPath, limits: limits) {
                    [unowned self] request, connection in
                    handle(request, connection, loop: loop)
                }
            }
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Closes the server on its loop, stops the thread, removes the temp directory.
    func shutdown() {
        loopThread.stop { [self] _ in
            server?.close()
            server = nil
            followers = []
        }
        directory.remove()
    }

    func onLoop<T>(_ work: @escaping @Sendable (ControlFixture) -> T) -> T { loopThread.sync { _ in work(self) } }

    /// Waits (up to 5 s) until `condition`, checked on the loop thread, holds. It sleeps between checks: the
    /// control suites run on dedicated threads (`.onDedicatedThread`), never on the async pool.
    func waitUntil(_ condition: @escaping @Sendable (ControlFixture) -> Bool) -> Bool {
        for _ in 0..<500 {
            if onLoop(condition) { return true }
            usleep(10_000)
        }
        return false
    }

    private func handle(_ request: ControlRequest, _ connection: ControlConnection, loop: EventLoop) {
        do throws(ControlError) {
            switch request.method {
            case "status":
                try ControlParams.none(request)
                connection.reply(id: request.id, result: Self.statusResult.json)
            case "start", "stop", "restart":
                let outcomes = try ControlParams.serviceNames(request).map { name in
                    ["web", "db"].contains(name)
                        ? ControlOutcome(service: name, ok: true, message: "\(name) \(request.method)ed (pid 51)")
                        : ControlOutcome(service: name, ok: false, message: "no service named \"\(name)\"")
                }
                connection.reply(id: request.id, result: ControlOutcome.result(outcomes))
            case "logs":
                try logs(request, connection, loop: loop)
            case "big":
                connection.reply(id: request.id, result: .string(String(repeating: "x", count: 8192)))
            case "later":
                loop.schedule(at: MonotonicClock.now() + .milliseconds(50)) {
                    connection.reply(id: request.id, result: .string("done"))
                }
            case "never":
                break
            default:
                throw ControlError(
                    id: request.id, code: ControlError.methodNotFound, message: "method not found: \(request.method)")
            }
        } catch {
            connection.fail(id: error.id, code: error.code, message: error.message)
        }
    }

    private func logs(_ request: ControlRequest, _ connection: ControlConnection, loop: EventLoop) throws(ControlError)
    {
        let logs = try ControlParams.logs(request)
        for name in logs.services where !["web", "db"].contains(name) {
            throw ControlError(
                id: request.id, code: ControlError.applicationError, message: "no service named \"\(name)\"")
        }
        var lines = Self.logLines.filter { logs.services.isEmpty || logs.services.contains($0.service) }
        if let limit = logs.lines { lines = Array(lines.suffix(limit)) }
        connection.reply(id: request.id, result: LogEntry.result(lines))
        guard logs.follow else { return }
        connection.isFollowing = true
        followers.append(connection)
        connection.onClose = { [unowned self] in
            followers.removeAll { $0 === connection }
            droppedFollowers += 1
        }
        if let script = scriptedFollow {
            loop.schedule(at: MonotonicClock.now() + .milliseconds(20)) {
                for entry in script { connection.notify(method: LogEntry.notificationMethod, params: entry.json) }
                connection.close()
            }
        }
    }
}

/// A hand-driven client socket for protocol-level tests: raw bytes out, lines in, 5 s receive timeout.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        fd = try UnixSocket.make(nonblocking: false)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let (address, length) = try UnixSocket.address(path)
        let code = UnixSocket.connect(fd, to: address, length: length)
        if code != 0 {
            close(fd)
            throw SystemError("connect", errno: code)
        }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    func request(id: Int, method: String, params: String = "{}") {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"# + "\n")
    }

    /// The next line, or nil at EOF (or on timeout/reset).
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeFirst(newline + 1)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { return nil }
            buffer += chunk[..<n]
        }
    }

    /// The next line parsed as JSON.
    func readJSON() -> JSONValue? { readLine().flatMap { try? JSONParser.parse(Array($0.utf8)) } }
}
