extension Dictionary {
    /// `Dictionary(_:uniquingKeysWith:)` for a sequence of pairs. The stdlib's version casts dynamically, which
    /// Embedded Swift rejects.
    init<Pairs: Sequence>(pairs: Pairs, uniquingKeysWith combine: (Value, Value) -> Value)
    where Pairs.Element == (Key, Value) {
        self.init(minimumCapacity: pairs.underestimatedCount)
        for (key, value) in pairs {
            if let existing = self[key] {
                self[key] = combine(existing, value)
            } else {
                self[key] = value
            }
        }
    }
}
