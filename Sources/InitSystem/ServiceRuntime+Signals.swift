import CInit
import InitCore

/// Signals, the one reaper's results, and the end of the run.
extension ServiceRuntime {

    func handleSignals(_ signals: [signalfd_siginfo]) {
        var reap = false
        let me = UInt32(getpid())
        for info in signals {
            let signal = Int32(info.ssi_signo)
            let raisedByUs = info.ssi_pid == me && info.ssi_code == SI_USER
            switch settings.signalPolicy.role(of: signal, raisedByPCInit: raisedByUs) {
            case .reap:
                reap = true
            case .ignore:
                continue
            case .stop where endOfRun.isRunning:
                Log.info("\(Signals.name(signal)) again: killing what is left now")
                perform(endOfRun.stopSignal())
            case .stop:
                post(.stopRequested(signal: signal))
            case .reload:
                reloadOnHangup()
            case .forward:
                forwardToServices(signal)
            }
        }
        if reap || groupsNeedSettling {
            groupsNeedSettling = false
            reapChildren()
        }
    }

    func forwardToServices(_ signal: Int32) {
        for status in supervisor.services {
            guard let pid = status.pid else { continue }
            send(signal, to: pid, toGroup: true)
        }
        Log.debug("forwarded \(Signals.name(signal)) to every service")
    }

    /// `pid` is a service's main pid, which is also its process group's id.
    func send(_ signal: Int32, to pid: pid_t, toGroup: Bool) {
        if toGroup {
            if kill(-pid, signal) == 0 { return }
            // A leader that moved itself to another group is reached by its pid, but only while it is still
            // our unreaped child: after the reap the number may belong to someone else.
            if children.isWaiting(for: pid) {
                kill(pid, signal)
            } else if groups.isDraining(pid) {
                // The group emptied without a reap telling us (its last member left it).
                groupsNeedSettling = true
            }
        } else if children.isWaiting(for: pid) {
            kill(pid, signal)
        }
    }

    func reapChildren() {
        let outcome = children.reap()
        settleGroups()
        if case .noChildrenLeft = outcome { perform(endOfRun.noChildrenLeft()) }
    }

    /// After a reap: a service whose leader is gone is over once its whole group is; until then it drains.
    func settleGroups() {
        for change in groups.settle() {
            switch change {
            case .leaderGone(let watch):
                post(.leaderExited(watch.service, watch.leader))
            case .groupGone(let watch):
                // Every writer of the service's pipes is gone: relay the last lines before saying so.
                for relay in watch.relays { relay.readAvailable() }
                post(.exited(watch.service, watch.leader))
            }
        }
    }

    /// Every service is down: whatever is left belongs to no service (`EndOfRun` decides how it goes).
    func finish(_ code: Int32) {
        exitCode = code
        if let timer = deadlineTimer { loop.cancel(timer) }
        deadlineTimer = nil
        let childrenLeft = if case .childrenRemain = children.reap() { true } else { false }
        perform(endOfRun.begin(now: MonotonicClock.now(), stopBegan: stopBegan, childrenLeft: childrenLeft))
    }

    func perform(_ actions: [EndOfRun.Action]) {
        for action in actions {
            switch action {
            case .signalEverything(let signal):
                if signal == SIGTERM { Log.info("services are down; stopping processes that belong to no service") }
                Descendants.signalAll(signal)
            case .finish:
                loop.stop()
            }
        }
        if let timer = endTimer { loop.cancel(timer) }
        endTimer = nil
        if let deadline = endOfRun.nextDeadline {
            endTimer = loop.schedule(at: deadline) { [self] in
                Log.warning("processes still running after the grace period: SIGKILL")
                self.endTimer = nil
                self.perform(self.endOfRun.tick(now: MonotonicClock.now()))
            }
        }
    }
}
