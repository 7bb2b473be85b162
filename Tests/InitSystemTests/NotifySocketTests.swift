import CInit
import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// Collects what a NotifySocket reported.
final class NotifyRecorder {
    var readyCount = 0
    var statuses: [String] = []
}

@Suite(.onDedicatedThread, .timeLimit(.minutes(1)))
struct NotifySocketTests {
    @Test func readyFromAPythonSenderReachesOnReady() throws {
        let directory = makeTemporaryDirectory("notify-python")
        defer { rmdir(directory) }
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, directory + "/notify.sock", recorder)
        defer { notify.close() }

        let sender = try TestProcess(["python3", "-c", pythonSender, notify.path, "STATUS=warming up\nREADY=1"])
        #expect(sender.wait() == .exited(0))
        runLoop(loop, for: .seconds(5)) { recorder.readyCount > 0 }
        #expect(recorder.readyCount == 1)
        #expect(recorder.statuses == ["warming up"])
    }

    @Test func eachDatagramWithReadyCallsOnReadyOnce() throws {
        let directory = makeTemporaryDirectory("notify-datagrams")
        defer { rmdir(directory) }
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, directory + "/notify.sock", recorder)
        defer { notify.close() }

        try sendDatagram("READY=1\nREADY=1\nSTATUS=one", to: notify.path)
        try sendDatagram("READY=0\nMAINPID=42", to: notify.path)
        try sendDatagram("STATUS=two\nREADY=1\n", to: notify.path)
        runLoop(loop, for: .seconds(2), settle: .milliseconds(20)) { recorder.statuses.count == 2 }
        #expect(recorder.readyCount == 2)
        #expect(recorder.statuses == ["one", "two"])
    }

    @Test func oversizedDatagramsAreDroppedWhole() throws {
        let directory = makeTemporaryDirectory("notify-oversized")
        defer { rmdir(directory) }
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, directory + "/notify.sock", recorder)
        defer { notify.close() }

        try sendDatagram("READY=1\nSTATUS=" + String(repeating: "x", count: 5000), to: notify.path)
        try sendDatagram("STATUS=small", to: notify.path)
        runLoop(loop, for: .seconds(2)) { !recorder.statuses.isEmpty }
        #expect(recorder.readyCount == 0)
        #expect(recorder.statuses == ["small"])
    }

    @Test func aStaleSocketFileIsReplacedAndCloseUnlinksIt() throws {
        let directory = makeTemporaryDirectory("notify-stale")
        defer { rmdir(directory) }
        let path = directory + "/notify.sock"
        // What a crashed run leaves: a socket file nobody has open.
        let stale = try TestProcess([
            "python3", "-c", "import socket,sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(sys.argv[1])",
            path,
        ])
        #expect(stale.wait() == .exited(0))
        var info = stat()
        try #require(lstat(path, &info) == 0)

        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, path, recorder)
        try sendDatagram("READY=1", to: path)
        runLoop(loop, for: .seconds(2)) { recorder.readyCount > 0 }
        #expect(recorder.readyCount == 1)
        notify.close()
        #expect(lstat(path, &info) != 0, "close() must unlink the socket")
    }

    @Test func closingAnOlderSocketLeavesTheNewerOnesFile() throws {
        let directory = makeTemporaryDirectory("notify-replaced")
        defer { rmdir(directory) }
        let path = directory + "/notify.sock"
        let loop = try EventLoop()
        let older = try makeSocket(loop, path, NotifyRecorder())
        let newer = try makeSocket(loop, path, NotifyRecorder())
        older.close()
        var info = stat()
        #expect(lstat(path, &info) == 0, "the newer socket's file must survive")
        newer.close()
        #expect(lstat(path, &info) != 0)
    }

    @Test func anExistingNonSocketFileIsLeftAloneAndReported() throws {
        let directory = makeTemporaryDirectory("notify-file")
        let path = directory + "/notify.sock"
        defer {
            unlink(path)
            rmdir(directory)
        }
        try "keep me".write(toFile: path, atomically: false, encoding: .utf8)
        let loop = try EventLoop()
        #expect(throws: SystemError.self) { try makeSocket(loop, path, NotifyRecorder()) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func abstractNamesNeedNoFile() throws {
        let name = "@pcinit-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, name, recorder)
        defer { notify.close() }
        let sender = try TestProcess(["python3", "-c", pythonSender, name, "READY=1"])
        #expect(sender.wait() == .exited(0))
        runLoop(loop, for: .seconds(5)) { recorder.readyCount > 0 }
        #expect(recorder.readyCount == 1)
    }

    @Test func pathsTooLongForSockaddrAreRejected() throws {
        let loop = try EventLoop()
        let path = "/tmp/" + String(repeating: "n", count: 120)
        #expect(throws: SystemError.self) { try makeSocket(loop, path, NotifyRecorder()) }
    }

    @Test func systemdNotifyToolSignalsReady() throws {
        guard access("/usr/bin/systemd-notify", X_OK) == 0 else {
            print("skipped: systemd-notify is not installed")
            return
        }
        let directory = makeTemporaryDirectory("notify-systemd")
        defer { rmdir(directory) }
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, directory + "/notify.sock", recorder)
        defer { notify.close() }
        let sender = try TestProcess(
            ["/usr/bin/systemd-notify", "--ready", "--status=up"],
            environment: ["PATH=/usr/bin:/bin", "NOTIFY_SOCKET=\(notify.path)"]
        )
        // systemd-notify ends with a barrier (BARRIER=1 plus a pipe fd) and waits until the receiver has read
        // it, so the loop must run while it waits: the kernel drops the fd we do not take, which ends the wait.
        var ended: ChildTermination?
        runLoop(
            loop,
            for: .seconds(10),
            tick: { ended = ended ?? sender.poll() },
            until: { recorder.readyCount > 0 && ended != nil }
        )
        if ended == nil { ended = sender.terminate() }
        #expect(ended == .exited(0))
        #expect(recorder.readyCount == 1)
        #expect(recorder.statuses == ["up"])
    }

    @Test func redisServerSupervisedBySystemdSignalsReady() throws {
        let candidates: [String] = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        let redis = candidates.first { (path: String) in access(path, X_OK) == 0 }
        guard let redis else {
            print("skipped: redis-server is not installed (apt-get install -y redis-server)")
            return
        }
        let directory = makeTemporaryDirectory("notify-redis")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let loop = try EventLoop()
        let recorder = NotifyRecorder()
        let notify = try makeSocket(loop, directory + "/notify.sock", recorder)
        defer { notify.close() }
        let server = try TestProcess(
            [
                redis, "--port", "0", "--unixsocket", directory + "/redis.sock", "--supervised", "systemd",
                "--save", "", "--appendonly", "no", "--dir", directory,
            ],
            environment: ["PATH=/usr/bin:/bin", "NOTIFY_SOCKET=\(notify.path)"]
        )
        runLoop(loop, for: .seconds(20)) { recorder.readyCount > 0 }
        let ended = server.terminate()
        #expect(recorder.readyCount == 1, "redis-server never sent READY=1 (statuses: \(recorder.statuses))")
        #expect(ended == .exited(0))
    }

    @Test func datagramParsingFollowsSdNotify() {
        func parse(_ text: String) -> NotifySocket.Message { NotifySocket.parse(Array(text.utf8)[...]) }
        #expect(parse("READY=1") == .init(ready: true, statuses: []))
        #expect(parse("READY=1\n") == .init(ready: true, statuses: []))
        #expect(parse("READY=10") == .init(ready: false, statuses: []))
        #expect(parse("STATUS=a=b\nREADY=1\nSTATUS=") == .init(ready: true, statuses: ["a=b", ""]))
        #expect(parse("garbage\nWATCHDOG=1") == .init(ready: false, statuses: []))
    }
}

private func makeSocket(_ loop: EventLoop, _ path: String, _ recorder: NotifyRecorder) throws -> NotifySocket {
    try NotifySocket(
        loop: loop, path: path, onReady: { recorder.readyCount += 1 }, onStatus: { recorder.statuses.append($0) })
}

/// sd_notify in a few lines: one datagram to argv[1] (a leading '@' means the abstract namespace).
private let pythonSender = """
    import socket, sys
    path = sys.argv[1]
    if path.startswith('@'):
        path = '\\0' + path[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(sys.argv[2].encode(), path)
    """

private func sendDatagram(_ text: String, to path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let bytes = Array(text.utf8)
    let sent = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    if sent != bytes.count { throw SystemError("sendto \(path)") }
}
