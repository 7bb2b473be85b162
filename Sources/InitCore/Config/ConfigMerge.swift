/// Merges configuration trees the way process-compose merges `-f` files and `extends` (mergo with
/// override + append-slice), at the YAML level so every value keeps its own `file:line:col`:
/// - mappings merge key by key, recursively; a later scalar replaces an earlier one;
/// - `environment` merges by variable name (a later value replaces the earlier one in place);
/// - `depends_on` merges by dependency name, each entry replaced whole;
/// - other lists are appended (e.g. `success_exit_codes`), except `command`, `entrypoint` and
///   `namespace`, which are replaced.
/// Differences from process-compose, on purpose: an explicit `false`/`0`/`""` in a later file does
/// override (mergo cannot tell it from "unset"); `entrypoint` is replaced, not appended (appending
/// argv is never wanted); merged `environment` keeps its order and values containing `=`.
/// A null value (`key:` with nothing after it) does not override.
enum ConfigMerge {
    static func mergeProject(_ base: ConfigNode, _ override: ConfigNode) -> ConfigNode {
        mergeMapping(base, override) { key, old, new in
            switch key {
            case "processes": return mergeMapping(old, new) { _, a, b in mergeProcess(a, b) }
            case "environment": return mergeEnvironment(old, new)
            default: return mergeGeneric(old, new)
            }
        }
    }

    static func mergeProcess(_ base: ConfigNode, _ override: ConfigNode) -> ConfigNode {
        mergeMapping(base, override) { key, old, new in
            switch key {
            case "environment": return mergeEnvironment(old, new)
            case "depends_on": return mergeMapping(old, new) { _, _, b in b }
            case "command", "entrypoint", "namespace": return new
            default: return mergeGeneric(old, new)
            }
        }
    }

    private static func mergeGeneric(_ base: ConfigNode, _ override: ConfigNode) -> ConfigNode {
        switch (base.content, override.content) {
        case (.mapping, .mapping):
            return mergeMapping(base, override) { _, a, b in mergeGeneric(a, b) }
        case (.sequence(let a), .sequence(let b)):
            return ConfigNode(.sequence(a + b), position: override.position, tag: override.tag)
        default:
            return override
        }
    }

    /// Merges two mappings with `combine` for keys present in both; non-mappings: override wins.
    private static func mergeMapping(
        _ base: ConfigNode, _ override: ConfigNode, combine: (String, ConfigNode, ConfigNode) -> ConfigNode
    ) -> ConfigNode {
        if override.isNull { return base }
        guard var merged = base.entries, let additions = override.entries else { return override }
        var index: [String: Int] = [:]
        for (i, entry) in merged.enumerated() { index[entry.key] = i }
        for entry in additions {
            if let i = index[entry.key] {
                if entry.value.isNull { continue }
                merged[i].value =
                    merged[i].value.isNull ? entry.value : combine(entry.key, merged[i].value, entry.value)
            } else {
                index[entry.key] = merged.count
                merged.append(entry)
            }
        }
        return ConfigNode(.mapping(merged), position: base.position, tag: base.tag)
    }

    /// `environment` in either form (list of `K=V` or mapping) merged by name into a `K=V` list.
    static func mergeEnvironment(_ base: ConfigNode, _ override: ConfigNode) -> ConfigNode {
        guard let old = environmentItems(base), let new = environmentItems(override) else { return override }
        var items = old
        var index: [String: Int] = [:]
        for (i, item) in items.enumerated() { index[item.key] = i }
        for item in new {
            if let i = index[item.key] {
                items[i] = item
            } else {
                index[item.key] = items.count
                items.append(item)
            }
        }
        return ConfigNode(.sequence(items.map { $0.node }), position: base.position)
    }

    private struct EnvironmentItem {
        var key: String
        var node: ConfigNode
    }

    /// nil when the node is not a well-formed environment (the decoder reports it later).
    private static func environmentItems(_ node: ConfigNode) -> [EnvironmentItem]? {
        switch node.content {
        case .sequence(let items):
            var result: [EnvironmentItem] = []
            for item in items {
                guard case .scalar(let text, _) = item.content else { return nil }
                let key =
                    text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                    ?? text
                result.append(EnvironmentItem(key: key, node: item))
            }
            return result
        case .mapping(let entries):
            var result: [EnvironmentItem] = []
            for entry in entries {
                guard case .scalar(let text, _) = entry.value.content else { return nil }
                let value = entry.value.isNull ? "" : text
                result.append(
                    EnvironmentItem(key: entry.key, node: .string(entry.key + "=" + value, at: entry.keyPosition)))
            }
            return result
        case .scalar:
            return node.isNull ? [] : nil
        }
    }
}
