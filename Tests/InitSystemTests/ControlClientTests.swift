import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread, .timeLimit(.minutes(1))) struct ControlClientTests {
    @Test func missingSocketMeansNoPcinitIsRunning() {
        let path = "/nonexistent-dir/pcinit.sock"
        let result = ControlClient.call(socketPath: path, method: "status", params: .object([]))
        #expect(result == .failure(.notRunning(path: path, errno: ENOENT)))
        #expect(
            (try? result.get()) == nil
                && ControlClientError.notRunning(path: path, errno: ENOENT).description
                    == "no pcinit is running (cannot connect to /nonexistent-dir/pcinit.sock: No such file or directory)"
        )
    }

    @Test func staleSocketWithoutListenerMeansNoPcinitIsRunning() throws {
        let directory = TempDirectory()
        defer { directory.remove() }
        let path = directory.path + "/pcinit.sock"
        let fd = try UnixSocket.make(nonblocking: false)
        var (address, length) = try UnixSocket.address(path)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        close(fd)
        let error = ControlClient.follow(socketPath: path, params: LogsRequest(follow: true).params) { _, _ in }
        #expect(error == .notRunning(path: path, errno: ECONNREFUSED))
        #expect(error?.description.hasSuffix("Connection refused)") == true)
    }

    @Test func serverClosingWithoutAnswerIsReported() throws {
        let directory = TempDirectory()
        defer { directory.remove() }
        let path = directory.path + "/mute.sock"
        let listener = try UnixSocket.make(nonblocking: false)
        defer { close(listener) }
        var (address, length) = try UnixSocket.address(path)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 4)
        let acceptor = Thread {
            let client = accept(listener, nil, nil)
            var sink = [UInt8](repeating: 0, count: 512)
            _ = recv(client, &sink, sink.count, 0)
            close(client)
        }
        acceptor.start()
        let result = ControlClient.call(socketPath: path, method: "status", params: .object([]))
        #expect(result == .failure(.connectionLost("pcinit closed the connection without answering")))
    }

    @Test func defaultSocketPathPrefersTheEnvironmentThenRunThenTMPDIR() {
        #expect(ControlCommands.defaultSocketPath(environment: ["PCINIT_SOCKET": "/x/y.sock"]) == "/x/y.sock")
        let runUsable = access("/run/pcinit.sock", F_OK) == 0 || access("/run", W_OK) == 0
        let fallback = ControlCommands.defaultSocketPath(environment: ["TMPDIR": "/scratch/", "PCINIT_SOCKET": ""])
        #expect(fallback == (runUsable ? "/run/pcinit.sock" : "/scratch/pcinit.sock"))
        let plain = ControlCommands.defaultSocketPath(environment: [:])
        #expect(plain == (runUsable ? "/run/pcinit.sock" : "/tmp/pcinit.sock"))
    }

    @Test func commandsReturnExitCodes() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let path = fixture.socketPath
        #expect(ControlCommands.control(socketPath: path, verb: .start, services: ["web", "db"]) == 0)
        #expect(ControlCommands.control(socketPath: path, verb: .stop, services: ["web", "ghost"]) == 1)
        #expect(ControlCommands.status(socketPath: path, json: false) == 0)
        #expect(ControlCommands.logs(socketPath: path, follow: false, lines: 1, services: []) == 0)
        #expect(ControlCommands.logs(socketPath: path, follow: false, lines: nil, services: ["ghost"]) == 1)
        #expect(ControlCommands.status(socketPath: fixture.directory.path + "/none.sock", json: true) == 1)
    }
}
