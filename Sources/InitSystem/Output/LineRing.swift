/// The last `capacity` lines a service wrote, for `pcinit logs`. Lines are kept as the relay's batches
/// (one copy per read, not per line) with line boundaries, and turned into strings only when asked for.
public final class LineRing {
    /// One relayed batch: `prefixLength` bytes of `name | ` before each line, each line ends with "\n".
    private struct Batch {
        /// The process-wide sequence number of the batch's first line: merging rings by it gives the order
        /// in which lines were relayed.
        var firstSequence: Int
        var bytes: [UInt8]
        /// Offset just past each line's newline.
        var lineEnds: [Int32]
        var prefixLength: Int
    }

    /// Counts every line relayed by any ring (pcinit is single-threaded).
    nonisolated(unsafe) private static var nextSequence = 0

    public let capacity: Int
    private var batches: [Batch] = []
    private var lineCount = 0
    /// Lines appended over the ring's life.
    public private(set) var total = 0
    /// Called with every new line while set (`pcinit logs -f`).
    public var observer: ((String) -> Void)?

    public init(capacity: Int) { self.capacity = max(0, capacity) }

    /// Keeps a batch of `prefix line\n` records whose ends are `lineEnds`.
    public func append(batch bytes: [UInt8], lineEnds: [Int32], prefixLength: Int) {
        total += lineEnds.count
        let firstSequence = Self.nextSequence
        Self.nextSequence += lineEnds.count
        if let observer {
            var start = 0
            for end in lineEnds.map(Int.init) {
                observer(String(decoding: bytes[(start + prefixLength)..<(end - 1)], as: UTF8.self))
                start = end
            }
        }
        guard capacity > 0, !lineEnds.isEmpty else { return }
        // Exact-size copies: the relay reuses its buffers with their capacity (up to a pipe's worth), and a
        // ring that shared them would keep ~8 KiB per one-line batch, and force the relay to reallocate.
        batches.append(
            Batch(
                firstSequence: firstSequence, bytes: Self.exactCopy(bytes), lineEnds: Self.exactCopy(lineEnds),
                prefixLength: prefixLength))
        lineCount += lineEnds.count
        // Drop whole batches that lie entirely beyond the last `capacity` lines.
        var drop = 0
        while drop < batches.count - 1 && lineCount - batches[drop].lineEnds.count >= capacity {
            lineCount -= batches[drop].lineEnds.count
            drop += 1
        }
        if drop > 0 { batches.removeFirst(drop) }
    }

    private static func exactCopy<T>(_ elements: [T]) -> [T] {
        [T](unsafeUninitializedCapacity: elements.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: elements)
        }
    }

    /// A single line, e.g. one pcinit writes itself.
    public func append(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        append(batch: bytes, lineEnds: [Int32(bytes.count)], prefixLength: 0)
    }

    /// Oldest first; at most the last `limit` lines (and never more than `capacity`).
    public func last(_ limit: Int? = nil) -> [String] { numberedLines(limit).map { $0.text } }

    /// Like `last`, with each line's process-wide sequence number, to interleave several services' lines.
    public func numberedLines(_ limit: Int? = nil) -> [(sequence: Int, text: String)] {
        var lines: [(sequence: Int, text: String)] = []
        for batch in batches {
            var start = 0
            for (index, end) in batch.lineEnds.map(Int.init).enumerated() {
                let text = batch.bytes[(start + batch.prefixLength)..<(end - 1)]
                lines.append((batch.firstSequence + index, String(decoding: text, as: UTF8.self)))
                start = end
            }
        }
        let wanted = min(limit ?? capacity, capacity)
        return lines.count > wanted ? Array(lines.suffix(wanted)) : lines
    }
}
