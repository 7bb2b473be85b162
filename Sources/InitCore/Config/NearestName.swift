/// "Did you mean …?": the known name closest to a misspelt one, by edit distance (insertions, deletions,
/// substitutions and swaps of neighbours each count 1), close enough to be a typo rather than another word.
enum NearestName {
    /// The closest of `candidates` to `name`, or nil when none is within a typo's reach of it.
    static func suggestion<S: Sequence<String>>(for name: String, among candidates: S) -> String? {
        let typed = Array(name.lowercased().utf8)
        guard !typed.isEmpty else { return nil }
        // Short names allow one slip, longer ones two, long ones three (`timout_seconds`, `availabilty`).
        let reach = typed.count <= 4 ? 1 : typed.count <= 9 ? 2 : 3
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() where candidate != name {
            let target = Array(candidate.lowercased().utf8)
            // `process-started` for `process_started`: spelling the separator differently is one slip, not several.
            let sameWords = target == typed.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }
            let distance = sameWords ? 1 : Self.distance(typed, target)
            guard distance <= reach, distance < target.count else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance over bytes.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, previous2[j - 2] + 1) }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
