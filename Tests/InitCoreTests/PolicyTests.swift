import Testing

@testable import InitCore

@Suite struct SignalPolicyTests {
    @Test func theTableIsTheSameForEveryMode() {
        let policy = SignalPolicy()
        #expect(policy.role(of: 17, raisedByPCInit: false) == .reap)
        #expect(policy.role(of: 15, raisedByPCInit: false) == .stop)
        #expect(policy.role(of: 2, raisedByPCInit: false) == .stop)
        #expect(policy.role(of: 3, raisedByPCInit: false) == .forward, "SIGQUIT: a JVM's thread dump, nginx's stop")
        #expect(policy.role(of: 1, raisedByPCInit: false) == .forward)
        #expect(policy.role(of: 21, raisedByPCInit: false) == .ignore)
        #expect(policy.role(of: 22, raisedByPCInit: false) == .ignore)
        #expect(policy.role(of: 13, raisedByPCInit: true) == .ignore, "our own SIGPIPE")
        #expect(policy.role(of: 17, raisedByPCInit: true) == .reap)
        #expect(policy.role(of: 40, raisedByPCInit: false) == .forward)
    }

    @Test func hangupReloadsOnlyWhenAskedTo() {
        #expect(SignalPolicy(hangupReloads: true).role(of: 1, raisedByPCInit: false) == .reload)
        #expect(SignalPolicy(hangupReloads: false).role(of: 1, raisedByPCInit: false) == .forward)
    }
}

@Suite struct EndOfRunTests {
    @Test func nothingLeftFinishesAtOnce() {
        var end = EndOfRun(grace: .seconds(5), stopBudget: .seconds(10))
        #expect(end.begin(now: at(0), stopBegan: nil, childrenLeft: false) == [.finish])
        #expect(end.nextDeadline == nil)
    }

    @Test func leftoversGetTermAndContThenKillAfterTheGrace() {
        var end = EndOfRun(grace: .seconds(5), stopBudget: .seconds(10))
        #expect(
            end.begin(now: at(1), stopBegan: nil, childrenLeft: true) == [
                .signalEverything(15), .signalEverything(18),
            ])
        #expect(end.nextDeadline == at(6))
        #expect(end.tick(now: at(5.9)) == [])
        #expect(end.tick(now: at(6)) == [.signalEverything(9)])
        #expect(end.nextDeadline == nil)
        #expect(end.noChildrenLeft() == [.finish])
    }

    @Test func theGraceNeverReachesPastTheStopBudget() {
        var end = EndOfRun(grace: .seconds(30), stopBudget: .seconds(10))
        _ = end.begin(now: at(8), stopBegan: at(0), childrenLeft: true)
        #expect(end.nextDeadline == at(10))
        var alone = EndOfRun(grace: .seconds(30))
        _ = alone.begin(now: at(8), stopBegan: at(0), childrenLeft: true)
        #expect(alone.nextDeadline == at(38), "single-command mode has no stop budget")
    }

    @Test func aStopSignalDuringTheGraceKillsAtOnce() {
        var end = EndOfRun(grace: .seconds(30))
        #expect(end.stopSignal() == [], "before the end there is nothing to kill")
        _ = end.begin(now: at(0), stopBegan: nil, childrenLeft: true)
        #expect(end.stopSignal() == [.signalEverything(9)])
        #expect(end.nextDeadline == nil)
    }
}
