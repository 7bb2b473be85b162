/// A service's identity for the life of one pcinit: opaque, handed out in order, never reused, so services can
/// come and go at runtime (reload, scale) and a stale id can only miss, never hit someone else.
public struct ServiceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Only for display and ordering; carries no meaning beyond "issued after".
    public let rawValue: Int

    init(rawValue: Int) { self.rawValue = rawValue }

    public static func < (lhs: ServiceID, rhs: ServiceID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}

/// The supervisor's records in display order (config order, services added later at the end), addressed by id.
/// Ids are issued in increasing order and records are only ever appended, so display order is id order and an id
/// is found by binary search: no hashing on a path that runs several times per service for every event.
struct ServiceTable: Sendable, Sequence {
    private var storage: [ServiceRecord] = []

    private func slot(of id: ServiceID) -> Int? {
        var low = 0
        var high = storage.count
        while low < high {
            let middle = (low + high) / 2
            let found = storage[middle].id
            if found == id { return middle }
            if found < id { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Ids in display order.
    var ids: [ServiceID] { storage.map { $0.id } }

    var count: Int { storage.count }

    func contains(_ id: ServiceID) -> Bool { slot(of: id) != nil }

    /// Positions in display order, for loops that read a few fields of every record (`self[position:].state`),
    /// where iterating the table (a Sequence) makes a copy of each record.
    var positions: Range<Int> { storage.indices }

    subscript(position position: Int) -> ServiceRecord { storage[position] }

    /// The record of a known service. Callers check `contains` first where an id may be stale.
    subscript(id: ServiceID) -> ServiceRecord {
        // A plain `get`, inlined where a field is read. A `_read` coroutine here (to lend the record instead)
        // made Swift 6.3.1 corrupt memory: `Supervisor.reload` crashed in "outlined destroy of ServiceConfig" in
        // about 1 run of 4 of SupervisorReshapeTests, in debug and release builds, and never with `get`.
        get { storage[slot(of: id)!] }
        _modify {
            let slot = slot(of: id)!
            yield &storage[slot]
        }
    }

    func id(named name: String) -> ServiceID? {
        storage.indices.first { storage[$0].name == name }.map { storage[$0].id }
    }

    /// The states of the services that take part in the run, in display order, without copying their records.
    var statesTakingPart: [ServiceState] {
        var states: [ServiceState] = []
        states.reserveCapacity(storage.count)
        // The stored `state` only (`takesPart` is `!state.isOutOfRun`): a computed property of an element can
        // make the optimizer copy the whole record first.
        for index in storage.indices {
            let state = storage[index].state
            if !state.isOutOfRun { states.append(state) }
        }
        return states
    }

    mutating func append(_ record: ServiceRecord) {
        precondition(storage.last.map { $0.id < record.id } ?? true, "service ids are appended in increasing order")
        storage.append(record)
    }

    mutating func remove(_ id: ServiceID) {
        guard let slot = slot(of: id) else { return }
        storage.remove(at: slot)
    }

    func makeIterator() -> IndexingIterator<[ServiceRecord]> { storage.makeIterator() }
}
