extension Supervisor {
    /// Start each probe check that is due, unless the previous check of that probe is still running.
    mutating func runDueProbes(_ id: ServiceID, now: Instant) {
        guard records[id].isProbing else { return }
        for kind in [ProbeKind.readiness, .liveness] {
            guard var schedule = records[id].probe(kind), !schedule.checkInFlight, schedule.nextCheckAt <= now
            else { continue }
            schedule.checkInFlight = true
            schedule.nextCheckAt = now + schedule.config.period
            records[id].setProbe(kind, schedule)
            output.append(.runProbe(id, kind))
        }
    }

    /// The process is going away: cancel checks in flight and forget the schedules.
    mutating func stopProbes(_ id: ServiceID) {
        let inFlight = [records[id].readinessProbe, records[id].livenessProbe].contains { $0?.checkInFlight == true }
        records[id].readinessProbe = nil
        records[id].livenessProbe = nil
        if inFlight { output.append(.cancelProbes(id)) }
    }

    mutating func probeFinished(_ id: ServiceID, _ kind: ProbeKind, success: Bool, detail: String, now: Instant) {
        guard records.contains(id), records[id].isProbing, var schedule = records[id].probe(kind),
            schedule.checkInFlight
        else { return }
        schedule.checkInFlight = false
        if success {
            schedule.successesInARow += 1
            schedule.failuresInARow = 0
        } else {
            schedule.failuresInARow += 1
            schedule.successesInARow = 0
            records[id].probeFailures[kind, default: 0] += 1
        }
        records[id].setProbe(kind, schedule)
        let name = records[id].name
        let failedEnough = schedule.failuresInARow == schedule.failureThreshold
        let failures = "check failed \(LogText.count(schedule.failuresInARow, "time")): \(detail)"
        switch kind {
        case .readiness:
            if success && schedule.successesInARow >= schedule.successThreshold {
                records[id].signals.probePassing = true
                updateReadiness(id)
            } else if failedEnough {
                let wasPassing = records[id].signals.probePassing
                records[id].signals.probePassing = false
                if !wasPassing { log("\(name) readiness \(failures)") }
                updateReadiness(id, reason: "readiness \(failures)")
            }
        case .liveness:
            guard failedEnough else { return }
            log("\(name) liveness \(failures)")
            beginStop(id, .restartPolicyAfterLivenessFailure, now: now)
        }
    }

    /// Announce readiness changes once each. A service with no readiness configured is ready when it runs;
    /// only configured readiness is announced (`db ready`), the start line says the rest.
    mutating func updateReadiness(_ id: ServiceID, reason: String? = nil) {
        let ready = records[id].ready
        guard ready != records[id].announcedReady else { return }
        records[id].announcedReady = ready
        if ready { records[id].everReady = true }
        guard records[id].hasReadinessSignal, records[id].isProbing else { return }
        let words = ready ? "ready" : "not ready" + (reason.map { " (\($0))" } ?? "")
        output.append(.stateChanged(change(id, from: records[id].state, reason: words)))
    }
}
