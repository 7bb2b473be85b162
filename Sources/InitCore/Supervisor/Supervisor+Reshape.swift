/// Services that come and go while pcinit runs: `pcinit scale` and `pcinit reload`. Ids stay with the processes
/// they name; a removed service is stopped with its shutdown rules and leaves the table once it is down.
extension Supervisor {
    // MARK: Scale

    /// Replicas that stay keep running, with their pid, even if their name changes (`web` → `web-0`); new ones
    /// start when their dependencies allow; extra ones stop, highest index first. Dependents follow the new set.
    mutating func scale(_ base: String, to count: Int, specs: [ServiceConfig] = [], now: Instant) {
        guard case .running = phase else {
            reply(base, false, isStopping ? "pcinit is stopping" : "pcinit has not started its services yet")
            return
        }
        let current = replicas(of: base)
        guard var template = current.first.map({ records[$0].spec }) ?? templates[base], base != mainName else {
            reply(base, false, "no service named \(base)")
            return
        }
        template.dependsOn = current.first.map { records[$0].spec.dependsOn } ?? template.dependsOn
        let oldNames = current.map { records[$0].name }
        let names = ServiceAssembly.replicaNames(base, count: count)
        var words: [String] = []
        // Extra replicas go first, highest index first, before any rename can reuse their names.
        for id in current.dropFirst(count).reversed() {
            words.append("stopping \(records[id].name)")
            retire(id, now: now)
        }
        for (index, id) in current.prefix(count).enumerated() where records[id].name != names[index] {
            words.append("\(records[id].name) is now \(names[index])")
            records[id].spec.name = names[index]
            output.append(.serviceRenamed(id))
        }
        let takesPart = current.first.map { records[$0].takesPart } ?? !template.disabled
        for index in current.count..<max(count, current.count) where index < count {
            let fromFile = specs.first { $0.baseName == base && $0.name == names[index] }
            let spec = fromFile ?? Self.replica(of: template, index: index, name: names[index])
            let id = add(spec, takingPart: takesPart, now: now)
            words.append("adding \(records[id].name)")
        }
        followReplicas(of: oldNames, now: names)
        resolveGraph()
        let summary =
            count == current.count ? "\(base) already has \(count)" : "\(base) scaled from \(current.count) to \(count)"
        reply(base, true, words.isEmpty ? summary : summary + " (" + words.joined(separator: ", ") + ")")
    }

    /// The live replicas of a base name, by index.
    func replicas(of base: String) -> [ServiceID] {
        records.filter { $0.spec.baseName == base && !$0.removeWhenDown && $0.id != mainID }
            .sorted { $0.spec.replicaIndex < $1.spec.replicaIndex }.map { $0.id }
    }

    var mainName: String? { mainID.map { records[$0].name } }

    /// A replica's definition: the template with its own name and PC_REPLICA_NUM.
    static func replica(of template: ServiceConfig, index: Int, name: String) -> ServiceConfig {
        var spec = template
        spec.name = name
        spec.replicaIndex = index
        spec.environment.belowInherited = spec.environment.belowInherited.map { key, value in
            key == "PC_REPLICA_NUM" ? (key, String(index)) : (key, value)
        }
        return spec
    }

    /// Dependencies on a replicated service name its replicas; after a scale they name the new set.
    mutating func followReplicas(of oldNames: [String], now newNames: [String]) {
        let old = Set(oldNames)
        for id in records.ids {
            let dependencies = records[id].spec.dependsOn
            guard let condition = dependencies.first(where: { old.contains($0.service) })?.condition else { continue }
            var updated = dependencies.filter { !old.contains($0.service) }
            updated += newNames.map { Dependency(service: $0, condition: condition) }
            records[id].spec.dependsOn = updated
        }
    }

    // MARK: Reload

    /// Applies a freshly read config by service name: new names are added, missing ones removed, and a service
    /// whose definition changed is stopped and started again with the new one; unchanged services keep running
    /// untouched. Dependents of a restarted service are not restarted.
    mutating func reload(_ config: ProjectConfig, now: Instant) {
        let takesPart = Self.participation(of: config.services, selection: selection)
        let wanted = Set(config.services.map { $0.name })
        for id in records.ids where id != mainID && !records[id].removeWhenDown && !wanted.contains(records[id].name) {
            reply(records[id].name, true, "removed \(records[id].name)")
            retire(id, now: now)
        }
        for (index, spec) in config.services.enumerated() {
            let participates = takesPart[index]
            guard let id = records.id(named: spec.name), id != mainID, !records[id].removeWhenDown else {
                let added = add(spec, takingPart: participates, now: now)
                records[added].waitsForRemovals = true
                reply(spec.name, true, "added \(spec.name)")
                continue
            }
            let changes = ServiceDefinition.changes(
                from: records[id].spec, shell: shell, to: spec, shell: config.shell)
            guard !changes.isEmpty else {
                // Nothing that changes how it runs (a description, a line number); keep the newest text.
                records[id].spec.description = spec.description
                records[id].spec.location = spec.location
                continue
            }
            replace(id, with: spec, takingPart: participates, because: changes, now: now)
        }
        templates = [:]
        for spec in config.services where templates[spec.baseName] == nil { templates[spec.baseName] = spec }
        shell = config.shell
        orderedShutdown = config.orderedShutdown
        resolveGraph()
    }

    /// A service whose definition changed: a running one is stopped (with its old shutdown rules) and started
    /// with the new definition; one that is not up takes the new definition for its next start.
    mutating func replace(
        _ id: ServiceID, with spec: ServiceConfig, takingPart: Bool, because changes: [String], now: Instant
    ) {
        let name = records[id].name
        let what = changes.joined(separator: ", ") + " changed"
        switch records[id].state {
        case .starting, .running, .launching, .launched, .stopping:
            if takingPart {
                beginStop(id, .replace(spec), now: now)
                reply(name, true, "restarted \(name): \(what)")
            } else {
                records[id].spec = spec
                beginStop(id, .stayDown, now: now)
                reply(name, true, "stopped \(name): \(what), and it no longer takes part")
            }
        case .pending, .restarting:
            records[id].spec = spec
            reply(name, true, "updated \(name): \(what)")
        case .completed, .failed, .stopped, .skipped, .disabled, .notSelected:
            records[id].spec = spec
            if takingPart && records[id].state.isOutOfRun {
                setState(id, .pending, now: now, reason: "takes part now (reload)")
                reply(name, true, "added \(name) to the run: \(what)")
            } else {
                reply(name, true, "updated \(name) (not running): \(what)")
            }
        }
    }

    // MARK: Adding and removing

    @discardableResult
    mutating func add(_ spec: ServiceConfig, takingPart: Bool, now: Instant) -> ServiceID {
        let id = issueID()
        var record = ServiceRecord(id: id, spec: spec, state: takingPart ? .pending : .outOfRun(spec))
        record.since = now
        records.append(record)
        if templates[spec.baseName] == nil { templates[spec.baseName] = spec }
        output.append(.serviceAdded(id))
        reshaped = true
        return id
    }

    /// Stops a service for good and removes it once it is down.
    mutating func retire(_ id: ServiceID, now: Instant) {
        records[id].removeWhenDown = true
        reshaped = true
        beginStop(id, .stayDown, now: now)
    }
}
