/// Dependency edges between named services: start order, cycles, and the levels used for ordered shutdown.
public struct DependencyGraph: Sendable {
    /// Node names in declaration order.
    public let names: [String]
    /// `dependencies[i]` = indices of the nodes that node `i` depends on.
    public let dependencies: [[Int]]

    /// `edges[name]` lists what `name` depends on; unknown names in edges are ignored (validate them first).
    public init(names: [String], edges: [String: [String]]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() { index[name] = i }
        dependencies = names.map { name in (edges[name] ?? []).compactMap { index[$0] } }
    }

    /// A dependency cycle as names, first name repeated at the end (`["a", "b", "a"]`), or nil.
    public func findCycle() -> [String]? {
        enum Mark { case unvisited, inProgress, done }
        var marks = [Mark](repeating: .unvisited, count: names.count)
        var stack: [Int] = []
        func visit(_ node: Int) -> [String]? {
            marks[node] = .inProgress
            stack.append(node)
            for dep in dependencies[node] {
                switch marks[dep] {
                case .inProgress:
                    let start = stack.lastIndex(of: dep)!
                    return (stack[start...] + [dep]).map { names[$0] }
                case .unvisited:
                    if let cycle = visit(dep) { return cycle }
                case .done: break
                }
            }
            stack.removeLast()
            marks[node] = .done
            return nil
        }
        for node in names.indices where marks[node] == .unvisited {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }

    /// Indices in an order where every node comes after its dependencies; ties keep declaration order.
    /// Precondition: no cycle.
    public func startOrder() -> [Int] {
        var remaining = dependencies.map { Set($0).count }
        var dependents = [[Int]](repeating: [], count: names.count)
        for (node, deps) in dependencies.enumerated() {
            for dep in Set(deps) { dependents[dep].append(node) }
        }
        var ready = names.indices.filter { remaining[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let node = ready.min()!
            ready.removeAll { $0 == node }
            order.append(node)
            for dependent in dependents[node] {
                remaining[dependent] -= 1
                if remaining[dependent] == 0 { ready.append(dependent) }
            }
        }
        precondition(order.count == names.count, "startOrder() called on a graph with a cycle")
        return order
    }

    /// Depth of each node: 0 for nodes with no dependencies, else 1 + the deepest dependency.
    /// Shutdown stops the deepest level first. Precondition: no cycle.
    public func levels() -> [Int] {
        var level = [Int](repeating: 0, count: names.count)
        for node in startOrder() {
            level[node] = dependencies[node].map { level[$0] + 1 }.max() ?? 0
        }
        return level
    }
}
