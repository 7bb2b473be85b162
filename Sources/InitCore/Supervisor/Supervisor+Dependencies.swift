/// Whether one `depends_on` entry lets its dependent start.
enum DependencyVerdict: Sendable, Equatable {
    case holds
    case waiting
    /// The dependency can no longer satisfy the condition: the dependent is skipped, for this reason.
    case cannotHold(String)
}

extension Supervisor {
    /// Names on the command line that match no service (by name or replica base name).
    public static func unknownNames(_ names: [String], in config: ProjectConfig) -> [String] {
        let known = Set(config.services.flatMap { [$0.name, $0.baseName] })
        return names.filter { !known.contains($0) }
    }

    /// Which services take part in the run. No selection: every service not disabled. A selection: the named
    /// services (disabled or not) and, transitively, the non-disabled services they depend on.
    static func participation(of services: [ServiceConfig], selection: [String]) -> [Bool] {
        guard !selection.isEmpty else { return services.map { !$0.disabled } }
        let named = Set(selection)
        var takesPart = services.map { named.contains($0.name) || named.contains($0.baseName) }
        var index: [String: Int] = [:]
        for (i, service) in services.enumerated() where index[service.name] == nil { index[service.name] = i }
        var work = services.indices.filter { takesPart[$0] }
        while let next = work.popLast() {
            for dep in services[next].dependsOn {
                guard let dependency = index[dep.service], !takesPart[dependency], !services[dependency].disabled
                else { continue }
                takesPart[dependency] = true
                work.append(dependency)
            }
        }
        return takesPart
    }

    /// process-compose starts a dependent without waiting for a dependency that does not run; say so once.
    mutating func warnAboutDependenciesNotInRun(_ id: ServiceID) {
        for (dependency, _) in records[id].dependencies where !records[dependency].takesPart {
            let why = records[dependency].state.rawValue
            log("\(records[id].name): \(records[dependency].name) is \(why), not waiting for it")
        }
    }

    /// Start every pending service whose dependencies hold and skip every one whose dependencies cannot,
    /// until nothing changes (a skip can release or skip further dependents).
    mutating func startWhatCan(now: Instant) {
        var changed = true
        let removalsUnderWay = records.contains { $0.removeWhenDown && $0.state.isUp }
        while changed {
            changed = false
            for id in records.ids where records[id].state == .pending {
                guard case .running = phase else { return }
                if removalsUnderWay && records[id].waitsForRemovals { continue }
                let verdicts = records[id].dependencies.map { verdict(of: $0.service, for: $0.condition) }
                if let reason = verdicts.lazy.compactMap({ if case .cannotHold(let why) = $0 { why } else { nil } })
                    .first
                {
                    skip(id, because: reason, now: now)
                    changed = true
                } else if verdicts.allSatisfy({ $0 == .holds }) {
                    spawn(id, now: now)
                    changed = true
                }
            }
        }
    }

    /// - `process_started`: the dependency was spawned (at any time).
    /// - `process_healthy`: it has been ready (a service with no readiness configured is ready once running),
    ///   or it completed successfully.
    /// - `process_completed`: it ended for good, any way, skipped included.
    /// - `process_completed_successfully`: it completed with a success code.
    /// - `process_log_ready`: its ready_log_line was seen.
    /// A dependency that does not take part in the run holds at once (process-compose's behaviour).
    func verdict(of dependency: ServiceID, for condition: DependencyCondition) -> DependencyVerdict {
        let dep = records[dependency]
        guard dep.takesPart else { return .holds }
        let ended = dep.state.isFinal
        let howItEnded = "\(dep.name) \(Self.endDescription(dep.state))"
        switch condition {
        case .processStarted:
            if dep.everStarted { return .holds }
            return ended ? .cannotHold(howItEnded) : .waiting
        case .processHealthy:
            if dep.everReady || dep.state == .completed { return .holds }
            return ended ? .cannotHold("\(howItEnded) before becoming ready") : .waiting
        case .processCompleted:
            return ended ? .holds : .waiting
        case .processCompletedSuccessfully:
            if dep.state == .completed { return .holds }
            return ended ? .cannotHold(howItEnded) : .waiting
        case .processLogReady:
            if dep.readyLineEverSeen { return .holds }
            if dep.spec.readyLogLine == nil { return .cannotHold("\(dep.name) has no ready_log_line") }
            return ended ? .cannotHold("\(howItEnded) before its ready line") : .waiting
        }
    }

    static func endDescription(_ state: ServiceState) -> String {
        switch state {
        case .completed: "completed"
        case .failed: "failed"
        case .skipped: "was skipped"
        case .stopped: "was stopped"
        default: state.rawValue
        }
    }

    mutating func skip(_ id: ServiceID, because reason: String, now: Instant) {
        records[id].detail = reason
        setState(id, .skipped, now: now, reason: "skipped: \(reason)")
        if records[id].spec.availability.exitOnSkipped { beginRunStop(.skipped(id), now: now) }
    }

    mutating func spawn(_ id: ServiceID, now: Instant, reason: String? = nil) {
        records[id].restartAt = nil
        records[id].detail = nil
        setState(id, .starting, now: now, reason: reason)
        output.append(.spawn(id))
    }

    /// Config mode: when every service of the run has ended on its own, exit (0 if all completed).
    /// A service stopped over the control socket keeps pcinit up: it may be started again.
    mutating func exitIfAllFinished() {
        // Runs after every event: the states only, never copies of the records.
        let states = records.statesTakingPart
        guard states.allSatisfy({ $0.isFinal && $0 != .stopped }) else { return }
        // Scaled or reloaded down to nothing: pcinit waits for the next change (or a stop).
        guard !(states.isEmpty && reshaped) else { return }
        let code = ExitCodePolicy.codeWhenAllFinished(states)
        log(states.isEmpty ? "no services to run" : "all services finished")
        phase = .exited(code: code)
        output.append(.exit(code: code))
    }
}
