/// The last `capacity` lines a service wrote, for `pcinit logs`.
public struct LineRing: Sendable {
    public let capacity: Int
    private var lines: [String] = []
    private var start = 0
    /// Lines appended over the ring's life: lets a follower ask "what came after line N".
    public private(set) var total = 0

    public init(capacity: Int) { self.capacity = max(0, capacity) }

    public mutating func append(_ line: String) {
        total += 1
        guard capacity > 0 else { return }
        if lines.count < capacity {
            lines.append(line)
        } else {
            lines[start] = line
            start = (start + 1) % capacity
        }
    }

    /// Oldest first; at most the last `limit` lines.
    public func last(_ limit: Int? = nil) -> [String] {
        let ordered = Array(lines[start...] + lines[..<start])
        guard let limit, limit < ordered.count else { return ordered }
        return Array(ordered.suffix(limit))
    }
}
