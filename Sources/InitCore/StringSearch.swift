// `String.contains(_: String)` and `String.replacing(_:with:)` come from _StringProcessing, which Embedded Swift
// does not have. These do the same Character-wise matching with the stdlib alone, so both builds behave alike.
extension String {
    /// Whether `text` occurs in this string, compared Character by Character.
    func containsText(_ text: String) -> Bool {
        self[...].range(ofText: text) != nil
    }

    /// This string with every non-overlapping occurrence of `text`, from the left, replaced by `replacement`. An
    /// empty `text` matches before and after every Character, as it does for the stdlib's `replacing(_:with:)`.
    func replacingText(_ text: String, with replacement: String) -> String {
        guard !text.isEmpty else { return reduce(replacement) { $0 + String($1) + replacement } }
        var result = ""
        var rest = self[...]
        while let found = rest.range(ofText: text) {
            result += rest[..<found.lowerBound]
            result += replacement
            rest = rest[found.upperBound...]
        }
        result += rest
        return result
    }
}

extension Substring {
    /// The first range where `text` occurs, compared Character by Character. An empty `text` occurs nowhere, as
    /// for the stdlib's `contains(_:)`.
    func range(ofText text: String) -> Range<Index>? {
        guard !text.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].starts(with: text) { return start..<index(start, offsetBy: text.count) }
            formIndex(after: &start)
        }
        return nil
    }
}
