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
            guard let distance = sameWords ? 1 : Self.distance(typed, target, atMost: reach) else { continue }
            guard distance < target.count else { continue }
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        return best?.name
    }

    /// The optimal-string-alignment distance between `a` and `b` (over bytes) when it is at most `limit`, else nil.
    /// Only cells within `limit` of the diagonal can be that close, so a row costs O(limit) and two names whose
    /// lengths differ by more than `limit` cost nothing: a long unknown key is cheap to compare with every
    /// known one. Cells past `limit` are kept at `limit + 1`, which changes no cell that is within it.
    static func distance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        guard limit >= 0, abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        let over = limit + 1
        var previous2 = [Int](repeating: over, count: b.count + 1)
        var previous = (0...b.count).map { min($0, over) }
        var current = [Int](repeating: over, count: b.count + 1)
        for i in 1...a.count {
            let low = max(1, i - limit)
            let high = min(b.count, i + limit)
            current[0] = min(i, over)
            // The cell left of the band, read by its first cell, is out of reach (unless it is column 0).
            if low > 1 { current[low - 1] = over }
            var rowMinimum = current[0]
            if low <= high {
                for j in low...high {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = min(value, previous2[j - 2] + 1)
                    }
                    current[j] = min(value, over)
                    rowMinimum = min(rowMinimum, current[j])
                }
            }
            // The cell right of the band, which the next row reads above its last cell, is out of reach too.
            if high < b.count { current[high + 1] = over }
            // No cell of a later row is below this row's smallest, so none can come back within reach.
            if rowMinimum > limit { return nil }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
