import CInit
import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite(.onDedicatedThread, .timeLimit(.minutes(1))) struct ControlServerTests {
    @Test func statusRoundTripReturnsTheHandlersResult() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let result = ControlClient.call(socketPath: fixture.socketPath, method: "status", params: .object([]))
        #expect(try result.get() == ControlFixture.statusResult.json)
    }

    @Test func controlVerbsReturnPerServiceOutcomesInRequestOrder() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let params = JSONValue.object([("services", .array([.string("db"), .string("ghost"), .string("web")]))])
        let result = try ControlClient.call(socketPath: fixture.socketPath, method: "restart", params: params).get()
        #expect(
            ControlOutcome.outcomes(from: result) == [
                ControlOutcome(service: "db", ok: true, message: "db restarted (pid 51)"),
                ControlOutcome(service: "ghost", ok: false, message: "no service named \"ghost\""),
                ControlOutcome(service: "web", ok: true, message: "web restarted (pid 51)"),
            ])
    }

    @Test func serverErrorsReachTheClientWithCodeAndMessage() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let unknown = LogsRequest(services: ["ghost"]).params
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "logs", params: unknown)
                == .failure(.server(code: -32000, message: "no service named \"ghost\"")))
        let noMethod = ControlClient.call(socketPath: fixture.socketPath, method: "reboot", params: .object([]))
        #expect(noMethod == .failure(.server(code: -32601, message: "method not found: reboot")))
        let badParams = ControlClient.call(socketPath: fixture.socketPath, method: "stop", params: .object([]))
        guard case .failure(.server(let code, _)) = badParams else {
            Issue.record("expected a server error, got \(badParams)")
            return
        }
        #expect(code == -32602)
    }

    @Test func logsReturnsTheKeptLinesFilteredAndLimited() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let all = try ControlClient.call(socketPath: fixture.socketPath, method: "logs", params: LogsRequest().params)
            .get()
        #expect(LogEntry.entries(from: all) == ControlFixture.logLines)
        let params = LogsRequest(services: ["web"], lines: 1).params
        let some = try ControlClient.call(socketPath: fixture.socketPath, method: "logs", params: params).get()
        #expect(LogEntry.entries(from: some) == [LogEntry(service: "web", line: "GET /")])
    }

    @Test func followGetsInitialLinesThenPushedLinesUntilTheServerCloses() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let pushed = [
            LogEntry(service: "db", line: "checkpoint"), LogEntry(service: "web", line: "GET /health \u{1F600}"),
        ]
        fixture.onLoop { $0.scriptedFollow = pushed }
        var seen: [LogEntry] = []
        let error = ControlClient.follow(
            socketPath: fixture.socketPath, params: LogsRequest(services: ["db"], follow: true).params
        ) { seen.append(LogEntry(service: $0, line: $1)) }
        #expect(error == nil)
        #expect(seen == [LogEntry(service: "db", line: "ready")] + pushed)
        #expect(fixture.waitUntil { $0.followers.isEmpty && $0.server?.connectionCount == 0 })
    }

    @Test func deferredRepliesAreDelivered() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "later", params: .object([]))
                == .success(.string("done")))
    }

    @Test func clientTimesOutWhenNoAnswerComes() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let result = ControlClient.call(
            socketPath: fixture.socketPath, method: "never", params: .object([]), timeoutSeconds: 1)
        #expect(result == .failure(.timedOut(seconds: 1)))
    }

    @Test func malformedLineGetsParseErrorAndTheConnectionStaysUsable() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let client = try RawClient(fixture.socketPath)
        client.send("{not json\n\n  \r\n")
        let error = client.readJSON()
        #expect(error?["id"] == .null)
        #expect(error?["error"]?["code"] == .int(-32700))
        client.send(#"{"jsonrpc":"2.0","method":"status"}"# + "\r\n")
        #expect(client.readJSON()?["error"]?["code"] == .int(-32600))
        client.request(id: 9, method: "status")
        let reply = client.readJSON()
        #expect(reply?["id"] == .int(9))
        #expect(reply?["result"] == ControlFixture.statusResult.json)
    }

    @Test func overlongLineGetsAnErrorAndTheConnectionIsClosed() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let client = try RawClient(fixture.socketPath)
        client.send(String(repeating: "x", count: 70_000))
        let reply = client.readJSON()
        #expect(reply?["error"]?["code"] == .int(-32600))
        #expect(reply?["error"]?["message"]?.stringValue?.contains("longer than 65536 bytes") == true)
        #expect(client.readLine() == nil)
        #expect(fixture.waitUntil { $0.server?.connectionCount == 0 })

        // A complete line that is too long is refused the same way.
        let second = try RawClient(fixture.socketPath)
        second.send(
            #"{"jsonrpc":"2.0","id":1,"method":"status","params":{"pad":""# + String(repeating: "y", count: 66_000)
                + "\"}}\n")
        #expect(second.readJSON()?["error"]?["code"] == .int(-32600))
        #expect(second.readLine() == nil)
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let client = try RawClient(fixture.socketPath)
        client.send(#"{"jsonrpc":"2.0","id":"q","method":"later"}"#)  // no newline, like `printf … | nc -U`
        shutdown(client.fd, Int32(SHUT_WR))
        #expect(client.readJSON()?["result"] == .string("done"))
        #expect(client.readLine() == nil)
    }

    @Test func pipelinedRequestsAreAnsweredInOrderThroughBackpressure() throws {
        var limits = ControlServer.Limits()
        limits.readPauseBytes = 4096
        let fixture = try ControlFixture(limits: limits)
        defer { fixture.shutdown() }
        let client = try RawClient(fixture.socketPath)
        let count = 300  // 300 replies of 8 KiB: far more than the socket buffers, read only after sending all.
        client.send((1...count).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"big"}"# + "\n" }.joined())
        var ids: [Int64] = []
        for _ in 0..<count {
            guard let reply = client.readJSON(), let id = reply["id"]?.intValue else { break }
            ids.append(id)
        }
        #expect(ids == Array(1...Int64(count)))
    }

    @Test func atTheCapTheOldestIdleConnectionMakesRoom() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        var clients: [RawClient] = []
        for id in 1...64 {
            let client = try RawClient(fixture.socketPath)
            client.request(id: id, method: "status")
            #expect(client.readJSON()?["id"] == .int(Int64(id)))
            clients.append(client)
        }
        // A script that leaks idle connections must not lock the operator out.
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "status", params: .object([]))
                == .success(ControlFixture.statusResult.json))
        #expect(clients[0].readLine() == nil, "the oldest idle connection was closed")
        clients[1].request(id: 2, method: "status")
        #expect(clients[1].readJSON()?["id"] == .int(2), "the others are still served")
    }

    @Test func followersAreBusySoAFullCapOfThemRefusesANewcomer() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        var followers: [RawClient] = []
        for id in 1...64 {
            let client = try RawClient(fixture.socketPath)
            client.request(id: id, method: "logs", params: #"{"follow":true}"#)
            #expect(client.readJSON()?["id"] == .int(Int64(id)))
            followers.append(client)
        }
        #expect(fixture.waitUntil { $0.followers.count == 64 })
        let extra = try RawClient(fixture.socketPath)
        let refusal = extra.readJSON()
        #expect(refusal?["error"]?["code"] == .int(-32000))
        #expect(refusal?["error"]?["message"] == .string("too many control connections; try again"))
        #expect(extra.readLine() == nil)
        #expect(fixture.onLoop { $0.droppedFollowers } == 0, "no follower was evicted")

        followers.removeLast()
        #expect(fixture.waitUntil { $0.server?.connectionCount == 63 })
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "status", params: .object([]))
                == .success(ControlFixture.statusResult.json))
    }

    @Test func followerThatStopsReadingIsDropped() throws {
        var limits = ControlServer.Limits()
        limits.maxQueuedBytes = 64 * 1024
        let fixture = try ControlFixture(limits: limits)
        defer { fixture.shutdown() }
        let client = try RawClient(fixture.socketPath)
        client.request(id: 1, method: "logs", params: #"{"follow":true}"#)
        #expect(client.readJSON()?["id"] == .int(1))
        #expect(fixture.waitUntil { $0.followers.count == 1 })
        let line = LogEntry(service: "web", line: String(repeating: "z", count: 1024)).json
        // The client reads nothing more: kernel buffers fill, then the server's queue, then it is cut off.
        let pushed = fixture.onLoop { fixture -> Int in
            var pushed = 0
            while let follower = fixture.followers.first, pushed < 100_000 {
                follower.notify(method: LogEntry.notificationMethod, params: line)
                pushed += 1
            }
            return pushed
        }
        #expect(pushed < 100_000)
        #expect(fixture.onLoop { $0.droppedFollowers } == 1)
        #expect(fixture.onLoop { $0.server?.connectionCount } == 0)
    }

    @Test func staleSocketFileIsReplaced() throws {
        let fixture = try ControlFixture { path in
            // A socket file whose listener is gone, as a crashed pcinit leaves it.
            let fd = try! UnixSocket.make(nonblocking: false)
            var (address, length) = try! UnixSocket.address(path)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            close(fd)
        }
        defer { fixture.shutdown() }
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "status", params: .object([]))
                == .success(ControlFixture.statusResult.json))
    }

    @Test func liveSocketIsNotTakenOver() throws {
        let fixture = try ControlFixture()
        defer { fixture.shutdown() }
        let loop = try EventLoop()
        let error = #expect(throws: SystemError.self) {
            _ = try ControlServer(loop: loop, path: fixture.socketPath) { _, _ in }
        }
        #expect(error?.errno == EADDRINUSE)
        #expect(
            ControlClient.call(socketPath: fixture.socketPath, method: "status", params: .object([]))
                == .success(ControlFixture.statusResult.json))
    }

    @Test func fileThatIsNotASocketIsLeftAlone() throws {
        let directory = TempDirectory()
        defer { directory.remove() }
        let path = directory.path + "/pcinit.sock"
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        let loop = try EventLoop()
        let error = #expect(throws: SystemError.self) { _ = try ControlServer(loop: loop, path: path) { _, _ in } }
        #expect(error?.errno == EEXIST)
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func socketIsMode0600AndCloseUnlinksItAndEndsConnections() throws {
        let fixture = try ControlFixture()
        var info = stat()
        #expect(lstat(fixture.socketPath, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        let client = try RawClient(fixture.socketPath)
        client.request(id: 1, method: "status")
        #expect(client.readJSON()?["id"] == .int(1))
        fixture.onLoop { $0.server?.close() }
        #expect(access(fixture.socketPath, F_OK) != 0)
        #expect(client.readLine() == nil)
        fixture.shutdown()
    }

    @Test func tooLongSocketPathIsRefused() throws {
        let loop = try EventLoop()
        let error = #expect(throws: SystemError.self) {
            _ = try ControlServer(loop: loop, path: "/tmp/" + String(repeating: "p", count: 200)) { _, _ in }
        }
        #expect(error?.errno == ENAMETOOLONG)
    }
}
