/// Timers by deadline: a binary min-heap of (deadline, id) beside a table of the live ones, so scheduling and
/// firing cost O(log n) and cancelling O(1), whatever the number of timers (one per service's backoff or probe,
/// one per open connection). A cancelled timer's heap entry is skipped when it comes up, and the heap is rebuilt
/// when such entries outnumber the live ones, so it never holds more than about twice the live timers.
/// Equal deadlines come out in the order they were scheduled.
public struct DeadlineQueue<Payload> {
    private struct Entry {
        var deadline: Instant
        var id: UInt64

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : id < other.id
        }
    }

    private var heap: [Entry] = []
    private var live: [UInt64: (deadline: Instant, payload: Payload)] = [:]

    public init() {}

    public var count: Int { live.count }
    /// Heap entries, cancelled ones included (for tests of the bound).
    var storedEntries: Int { heap.count }
    public var isEmpty: Bool { live.isEmpty }

    /// `id` must be new (the caller's counter).
    public mutating func insert(_ payload: Payload, at deadline: Instant, id: UInt64) {
        live[id] = (deadline, payload)
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
    }

    /// Forgets a timer; unknown or already fired ids are ignored.
    public mutating func remove(id: UInt64) {
        guard live.removeValue(forKey: id) != nil else { return }
        if heap.count > 2 * live.count + 64 { rebuild() }
    }

    /// The earliest live deadline.
    public mutating func nextDeadline() -> Instant? {
        dropCancelledTop()
        return heap.first?.deadline
    }

    /// The earliest timer if it is due at `now`, removed from the queue.
    public mutating func popDue(at now: Instant) -> (id: UInt64, payload: Payload)? {
        dropCancelledTop()
        guard let top = heap.first, top.deadline <= now else { return nil }
        removeTop()
        guard let entry = live.removeValue(forKey: top.id) else { return nil }
        return (top.id, entry.payload)
    }

    private mutating func dropCancelledTop() {
        while let top = heap.first, live[top.id]?.deadline != top.deadline { removeTop() }
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func rebuild() {
        heap = live.map { Entry(deadline: $0.value.deadline, id: $0.key) }
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var first = left
            if left + 1 < heap.count, heap[left + 1].precedes(heap[left]) { first = left + 1 }
            guard heap[first].precedes(heap[parent]) else { return }
            heap.swapAt(first, parent)
            parent = first
        }
    }
}
