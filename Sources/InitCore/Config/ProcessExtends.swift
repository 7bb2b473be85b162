/// Process-level `extends: <name>`: the named process's (resolved) config is the base and the
/// extending process is merged on top with the same rules as `-f` files. Chains are allowed;
/// unknown parents, self-extension and cycles are errors. Runs after the files are merged.
enum ProcessExtends {
    static func resolve(_ processes: [ConfigEntry], log: inout DiagnosticLog) -> [ConfigEntry] {
        var index: [String: Int] = [:]
        for (i, entry) in processes.enumerated() { index[entry.key] = i }
        var resolved: [ConfigNode?] = Array(repeating: nil, count: processes.count)
        var inProgress = Set<Int>()

        func parentName(_ node: ConfigNode) -> (String, SourcePosition)? {
            guard let extends = node["extends"], case .scalar(let text, _) = extends.content, !extends.isNull else {
                return nil
            }
            return (text, extends.position)
        }

        func withoutExtends(_ node: ConfigNode) -> ConfigNode {
            guard let entries = node.entries else { return node }
            return ConfigNode(.mapping(entries.filter { $0.key != "extends" }), position: node.position, tag: node.tag)
        }

        func resolve(_ i: Int) -> ConfigNode {
            if let done = resolved[i] { return done }
            let entry = processes[i]
            var result = withoutExtends(entry.value)
            if let (parent, position) = parentName(entry.value) {
                let path = "processes.\(entry.key).extends"
                if parent == entry.key {
                    log.error("\(path): a process cannot extend itself", at: position)
                } else if let p = index[parent] {
                    if inProgress.contains(p) {
                        log.error("\(path): circular extends involving '\(parent)'", at: position)
                    } else {
                        inProgress.insert(i)
                        result = ConfigMerge.mergeProcess(resolve(p), result)
                        inProgress.remove(i)
                    }
                } else {
                    log.error("\(path): unknown process '\(parent)'", at: position)
                }
            }
            resolved[i] = result
            return result
        }

        return processes.indices.map { i in
            var entry = processes[i]
            entry.value = resolve(i)
            return entry
        }
    }
}
