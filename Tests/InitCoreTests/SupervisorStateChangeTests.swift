import Testing

@testable import InitCore

/// Transitions leave the supervisor as data: every state change, with the fields a dashboard needs.
@Suite struct SupervisorStateChangeTests {
    func changes(_ actions: [SupervisorAction]) -> [StateChange] {
        actions.compactMap { if case .stateChanged(let change) = $0 { change } else { nil } }
    }

    @Test func aRestartCycleIsEveryStepWithItsPidAndExitCode() {
        var h = Harness([
            service("worker") { $0.availability = Availability(restart: .onFailure, backoff: .seconds(1)) }
        ])
        var steps = changes(h.everything(.begin, at: 0))
        steps += changes(h.everything(.spawned(0, pid: 41), at: 0))
        steps += changes(h.everything(.exited(0, .exited(3)), at: 1))
        steps += changes(h.everything(.tick, at: 2))
        steps += changes(h.everything(.spawned(0, pid: 42), at: 2))
        #expect(steps.map(\.to) == [.starting, .running, .restarting, .starting, .running])
        #expect(steps.map(\.from) == [.pending, .starting, .running, .restarting, .starting])
        #expect(steps.map(\.pid) == [nil, 41, nil, nil, 42])
        #expect(steps[2].exitCode == 3)
        #expect(steps[2].restarts == 1)
        #expect(steps[2].reason == "exited 3, restarting in 1s")
        #expect(steps[0].reason == nil, "starting is an event but not a log line")
        #expect(steps.allSatisfy { $0.service == 0 && $0.name == "worker" })
    }

    @Test func readinessFlipsAreChangesWithTheSameState() {
        var h = Harness([service("db") { $0.readinessProbe = probe(period: 1, failure: 1) }])
        h.beginAndSpawnAll()
        h.send(.tick, at: 0)
        let ready = changes(h.everything(.probeFinished(0, .readiness, success: true, detail: "ok"), at: 0.1))
        #expect(ready.count == 1)
        #expect(ready.first?.from == .running && ready.first?.to == .running)
        #expect(ready.first?.ready == true)
        h.send(.tick, at: 1.1)
        let lost = changes(h.everything(.probeFinished(0, .readiness, success: false, detail: "refused"), at: 1.2))
        #expect(lost.first?.ready == false)
        #expect(lost.first?.reason?.hasPrefix("not ready") == true)
    }

    @Test func theRunsStopIsAChangePerService() {
        var h = Harness([service("a"), service("b")], orderedShutdown: false)
        h.beginAndSpawnAll()
        let stopping = changes(h.everything(.stopRequested(signal: 15), at: 1))
        #expect(stopping.map(\.to) == [.stopping, .stopping])
        #expect(stopping.map(\.ready) == [false, false])
        let stopped = changes(h.everything(.exited(0, .signaled(15)), at: 2))
        #expect(stopped.map(\.to) == [.stopped])
        #expect(stopped.first?.exitCode == 143)
    }
}
