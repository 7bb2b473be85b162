import Testing

@testable import InitSystem

@Suite struct LineRingTests {
    /// `prefix | line\n` records, as the relay hands them over.
    static func batch(_ prefix: String, _ lines: [String]) -> ([UInt8], [Int32]) {
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        for line in lines {
            bytes += Array((prefix + line + "\n").utf8)
            ends.append(Int32(bytes.count))
        }
        return (bytes, ends)
    }

    @Test func keepsTheLastCapacityLinesWithoutPrefixes() {
        let ring = LineRing(capacity: 3)
        for chunk in [["a", "b"], ["c"], ["d", "e"]] {
            let (bytes, ends) = Self.batch("web | ", chunk)
            ring.append(batch: bytes, lineEnds: ends, prefixLength: "web | ".count)
        }
        #expect(ring.last() == ["c", "d", "e"])
        #expect(ring.last(2) == ["d", "e"])
        #expect(ring.total == 5)
    }

    @Test func sequenceNumbersInterleaveRingsInRelayOrder() {
        let web = LineRing(capacity: 10)
        let db = LineRing(capacity: 10)
        let (w1, e1) = Self.batch("w | ", ["w1"])
        web.append(batch: w1, lineEnds: e1, prefixLength: 4)
        let (d1, e2) = Self.batch("d | ", ["d1", "d2"])
        db.append(batch: d1, lineEnds: e2, prefixLength: 4)
        let (w2, e3) = Self.batch("w | ", ["w2"])
        web.append(batch: w2, lineEnds: e3, prefixLength: 4)
        let merged = (web.numberedLines() + db.numberedLines()).sorted { $0.sequence < $1.sequence }.map(\.text)
        #expect(merged == ["w1", "d1", "d2", "w2"])
    }

    @Test func observerSeesEveryLineAndZeroCapacityKeepsNothing() {
        let ring = LineRing(capacity: 0)
        var seen: [String] = []
        ring.observer = { seen.append($0) }
        let (bytes, ends) = Self.batch("x | ", ["one", "two"])
        ring.append(batch: bytes, lineEnds: ends, prefixLength: 4)
        #expect(seen == ["one", "two"])
        #expect(ring.last().isEmpty)
    }
}
