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
struct ServiceTable: Sendable, Sequence {
    private var storage: [ServiceRecord] = []
    private var slots: [ServiceID: Int] = [:]

    /// Ids in display order.
    var ids: [ServiceID] { storage.map(\.id) }

    var count: Int { storage.count }

    func contains(_ id: ServiceID) -> Bool { slots[id] != nil }

    /// The record of a known service. Callers check `contains` first where an id may be stale.
    subscript(id: ServiceID) -> ServiceRecord {
        get { storage[slots[id]!] }
        _modify { yield &storage[slots[id]!] }
    }

    func id(named name: String) -> ServiceID? { storage.first { $0.name == name }?.id }

    mutating func append(_ record: ServiceRecord) {
        slots[record.id] = storage.count
        storage.append(record)
    }

    mutating func remove(_ id: ServiceID) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        storage.remove(at: slot)
        for index in slot..<storage.count { slots[storage[index].id] = index }
    }

    func makeIterator() -> IndexingIterator<[ServiceRecord]> { storage.makeIterator() }
}
