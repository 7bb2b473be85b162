import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// Hostile and broken clients: none of them may delay an honest probe or the loop's timers.
@Suite(.onDedicatedThread, .serialized) struct HealthServerAbuseTests {
    @Test(.timeLimit(.minutes(1))) func anOversizedHeadGets431AndTheConnectionCloses() throws {
        let server = try RunningHealthServer()
        defer { server.stop() }
        let endless = "GET /readyz HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 9000)
        let reply = try TestClient.exchange(port: server.port, raw: endless)
        #expect(reply.status == 431)
        let complete = "GET /readyz HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 8200) + "\r\n\r\n"
        #expect(try TestClient.exchange(port: server.port, raw: complete).status == 431)
        let justFits = "GET /readyz HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 8000) + "\r\n\r\n"
        #expect(try TestClient.exchange(port: server.port, raw: justFits).status == 200)
    }

    @Test(.timeLimit(.minutes(1))) func aSlowlorisIsClosedAtTheDeadline() throws {
        let server = try RunningHealthServer(limits: .init(deadline: .seconds(1)))
        defer { server.stop() }
        let fd = try TestClient.connect(port: server.port)
        defer { Glibc.close(fd) }
        let start = ContinuousClock.now
        var closedAfter: Duration?
        // A byte every 100 ms, never finishing the head: it only ends when the server closes it.
        for byte in ("GET /readyz HTTP/1.1\r\nX-Slow: " + String(repeating: "z", count: 100)).map(String.init) {
            if !TestClient.send(fd, byte) || TestClient.readUntilClosed(fd, timeout: .milliseconds(100)).closed {
                closedAfter = ContinuousClock.now - start
                break
            }
        }
        let closed = try #require(closedAfter)
        #expect(closed > .milliseconds(850) && closed < .milliseconds(1800), "closed after \(closed)")
    }

    @Test(.timeLimit(.minutes(1))) func aSilentClientIsClosedAtTheDeadlineWithoutAnAnswer() throws {
        let server = try RunningHealthServer(limits: .init(deadline: .milliseconds(300)))
        defer { server.stop() }
        let fd = try TestClient.connect(port: server.port)
        defer { Glibc.close(fd) }
        let (bytes, closed) = TestClient.readUntilClosed(fd, timeout: .seconds(2))
        #expect(closed)
        #expect(bytes.isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func atTheConnectionCapTheOldestIdleClientMakesRoom() throws {
        let server = try RunningHealthServer(limits: .init(maxConnections: 3))
        defer { server.stop() }
        var idle: [Int32] = []
        defer { for fd in idle { Glibc.close(fd) } }
        for _ in 0..<3 {
            idle.append(try TestClient.connect(port: server.port))
            // Each is admitted before the next connects, so idle[0] is the server's oldest.
            #expect(waitUntil { pendingAccepts(port: server.port) == 0 }, "the server accepts nothing")
        }
        idle.append(try TestClient.connect(port: server.port))
        #expect(TestClient.readUntilClosed(idle[0], timeout: .seconds(2)).closed)
        #expect(!TestClient.isClosedByServer(idle[1]))
        #expect(!TestClient.isClosedByServer(idle[3]))
        // A probe still gets in (closing the next oldest idle one), again and again.
        for _ in 0..<5 { #expect(try TestClient.get("/readyz", port: server.port).status == 200) }
        #expect(TestClient.readUntilClosed(idle[1], timeout: .seconds(2)).closed)
    }

    @Test(.timeLimit(.minutes(1))) func aThousandIdleConnectionsAndDribblersDelayNeitherReadyzNorTimers() throws {
        raiseDescriptorLimit()
        let ticks = Locked<[(late: Duration, loopCPU: Duration)]>([])
        let server = try RunningHealthServer { loop in
            // Stands in for reaping and restart backoff: a timer every 20 ms that must stay on time.
            func tick(_ due: Instant) {
                loop.schedule(at: due) {
                    let late = MonotonicClock.now() - due
                    ticks.update { $0.append((late, threadCPUTime())) }
                    tick(due + .milliseconds(20))
                }
            }
            tick(MonotonicClock.now() + .milliseconds(20))
        }
        defer { server.stop() }

        var idle: [Int32] = []
        defer { for fd in idle { Glibc.close(fd) } }
        for _ in 0..<1000 { idle.append(try TestClient.connect(port: server.port)) }

        let dribblers = try (0..<20).map { _ in try TestClient.connect(port: server.port) }
        defer { for fd in dribblers { Glibc.close(fd) } }
        let dribbling = Locked(true)
        let dribblerDone = DispatchSemaphore(value: 0)
        Thread {
            while dribbling.read({ $0 }) {
                for fd in dribblers { TestClient.send(fd, "x") }
                Thread.sleep(forTimeInterval: 0.1)
            }
            dribblerDone.signal()
        }.start()
        defer {
            dribbling.update { $0 = false }
            dribblerDone.wait()
        }
        for fd in dribblers { TestClient.send(fd, "GET /readyz HTTP/1.1\r\nX-Drip: ") }

        let ticksBefore = ticks.read(\.count)
        let start = ContinuousClock.now
        for _ in 0..<10 {
            let asked = ContinuousClock.now
            let reply = try TestClient.get("/readyz", port: server.port)
            let took = ContinuousClock.now - asked
            #expect(reply.status == 200)
            #expect(took < .milliseconds(500), "readyz took \(took)")
            Thread.sleep(forTimeInterval: 0.05)  // the probes' pace (a dedicated thread: .onDedicatedThread)
        }
        let elapsed = ContinuousClock.now - start
        let (count, latest) = ticks.read { ($0.count - ticksBefore, $0.map(\.late).max() ?? .zero) }
        #expect(count >= Int(elapsed / .milliseconds(20)) / 2, "\(count) timer ticks in \(elapsed)")
        #expect(latest < .milliseconds(200), "a timer fired \(latest) late")

        // With a thousand clients still connected (most closed by the cap), the loop sleeps: no accept spin.
        let cpuBefore = try #require(ticks.read(\.last)).loopCPU
        Thread.sleep(forTimeInterval: 0.3)  // the measuring window, not a race
        let cpuUsed = try #require(ticks.read(\.last)).loopCPU - cpuBefore
        #expect(cpuUsed < .milliseconds(60), "the loop thread used \(cpuUsed) of CPU in 300 ms")
        // The cap held: the oldest idle connections were closed to make room.
        let closedByServer = idle.filter(TestClient.isClosedByServer).count
        #expect(closedByServer >= 700, "\(closedByServer) idle connections closed")
    }
}

/// CPU time of the calling thread.
private func threadCPUTime() -> Duration {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec)
}
