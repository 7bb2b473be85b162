/// Turns decoded processes into the final service list: replica expansion (`name-N`, zero padded
/// as process-compose does), dependency fan-out to replicas, cross-process checks, start order.
struct ServiceAssembly {
    var drafts: [ProcessDraft]
    /// Every name under `processes`, including those that failed to decode (so a dependency on
    /// them is not also reported as unknown).
    var declaredNames: [String]
    var project: ProjectDraft
    var dotEnv: [(String, String)]

    /// `web` with 2 replicas → `web-0`, `web-1`; with 10 → `web-00` … `web-09`; with 1 → `web`.
    static func replicaNames(_ base: String, count: Int) -> [String] {
        guard count > 1 else { return [base] }
        var width = 1
        var rest = count
        while rest >= 10 {
            width += 1
            rest /= 10
        }
        return (0..<count).map { index in
            let digits = String(index)
            return "\(base)-" + String(repeating: "0", count: width - digits.count) + digits
        }
    }

    func assemble(log: inout DiagnosticLog) -> (services: [ServiceConfig], mainDependsOn: [String]?) {
        let draftsByName = Dictionary(pairs: drafts.map { ($0.service.name, $0) }, uniquingKeysWith: { a, _ in a })
        var replicasOf: [String: [String]] = [:]
        var expandedOwner: [String: String] = [:]
        for draft in drafts {
            replicasOf[draft.service.name] = Self.replicaNames(draft.service.name, count: draft.replicas)
        }
        // Plain names first, so a clash is reported on the replicated process that causes it.
        for draft in drafts where draft.replicas == 1 { expandedOwner[draft.service.name] = draft.service.name }
        for draft in drafts where draft.replicas > 1 {
            for name in replicasOf[draft.service.name]! {
                if let owner = expandedOwner[name] {
                    log.error(
                        "processes.\(draft.service.name): replica name '\(name)' clashes with process '\(owner)'",
                        at: draft.position)
                }
                expandedOwner[name] = draft.service.name
            }
        }
        for name in declaredNames where expandedOwner[name] == nil && draftsByName[name] == nil {
            expandedOwner[name] = name  // failed to decode: known, but contributes no service
        }
        let known = Set(declaredNames).union(expandedOwner.keys)

        /// A dependency name → the services it means (a replicated base name fans out).
        func targets(_ name: String) -> [String] {
            if let replicas = replicasOf[name] { return replicas }
            return [name]
        }

        var services: [ServiceConfig] = []
        for draft in drafts {
            var dependsOn: [Dependency] = []
            for dependency in draft.dependencies {
                guard known.contains(dependency.name) else {
                    log.error(
                        "processes.\(draft.service.name).depends_on: unknown process '\(dependency.name)'",
                        at: dependency.position)
                    continue
                }
                check(
                    dependency, of: draft, target: draftsByName[expandedOwner[dependency.name] ?? dependency.name],
                    log: &log)
                for target in targets(dependency.name) where !dependsOn.contains(where: { $0.service == target }) {
                    dependsOn.append(Dependency(service: target, condition: dependency.condition))
                }
            }
            for (index, name) in (replicasOf[draft.service.name] ?? []).enumerated() {
                let variant = draft.replicaVariants.flatMap { index < $0.count ? $0[index] : nil }
                var service = variant?.service ?? draft.service
                service.name = name
                service.baseName = draft.service.name
                service.replicaIndex = index
                service.dependsOn = dependsOn
                // HOME/USER/LOGNAME of a `user` beat pcinit's own (root's), not what the file sets.
                service.environment = ServiceEnvironment(
                    belowInherited: [("PC_PROC_NAME", draft.service.name), ("PC_REPLICA_NUM", String(index))]
                        + (draft.dotEnvDisabled ? [] : dotEnv),
                    aboveInherited: (service.process.user?.environment ?? []) + project.environment
                        + (variant?.ownEnvironment ?? draft.ownEnvironment)
                )
                service.logFile = (variant?.service ?? draft.service).logFile?.forReplica(index, of: draft.replicas)
                services.append(service)
            }
        }

        var mainDependsOn: [String]? = nil
        if let names = project.pcinit.mainDependsOn {
            var expanded: [String] = []
            for (i, name) in names.enumerated() {
                if known.contains(name) {
                    expanded += targets(name)
                } else {
                    let position = i < project.mainDependsOnPositions.count ? project.mainDependsOnPositions[i] : nil
                    log.error("x-pcinit.main_depends_on: unknown process '\(name)'", at: position)
                }
            }
            mainDependsOn = expanded
        }

        let edges = Dictionary(
            pairs: services.map { ($0.name, $0.dependsOn.map { $0.service }) }, uniquingKeysWith: { a, _ in a })
        let graph = DependencyGraph(names: services.map { $0.name }, edges: edges)
        if let cycle = graph.findCycle() {
            let first = services.first { $0.name == cycle[0] }
            let position = first.flatMap { s in s.location.map { SourcePosition(file: s.file ?? "", location: $0) } }
            log.error("dependency cycle: \(cycle.joined(separator: " -> "))", at: position)
            return (services, mainDependsOn)
        }
        if log.hasErrors { return (services, mainDependsOn) }
        return (graph.startOrder().map { services[$0] }, mainDependsOn)
    }

    /// Checks that depend on what the dependency is: log-ready needs a log line, healthy needs a
    /// way to become ready, and an enabled service should not wait for a disabled one.
    private func check(
        _ dependency: DependencyDraft, of draft: ProcessDraft, target: ProcessDraft?, log: inout DiagnosticLog
    ) {
        guard let target else { return }
        let name = draft.service.name
        let path = "processes.\(name).depends_on.\(dependency.name)"
        switch dependency.condition {
        case .processLogReady where target.service.readyLogLine == nil:
            log.error(
                "\(path): process_log_ready needs a 'ready_log_line' on '\(target.service.name)'",
                at: dependency.position)
        case .processHealthy where target.readinessMechanisms.isEmpty:
            // pcinit counts a service with no readiness check as ready once it runs; upstream would
            // skip the dependent at run time (and reject the file under is_strict).
            log.strictError(
                "\(path): process_healthy, but '\(target.service.name)' has no readiness_probe, ready_log_line or notify; pcinit will treat it as healthy as soon as it is running",
                at: dependency.position)
        default:
            break
        }
        if target.service.disabled && !draft.service.disabled {
            log.strictError(
                "\(path): '\(target.service.name)' is disabled; it starts only when named on the command line or started by hand",
                at: dependency.position)
        }
    }
}
