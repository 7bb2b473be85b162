/// Durations as people write them in environment variables and config: `10`, `1.5`, `500ms`, `10s`, `2m`.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(trimmed)
        var scale = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        return .seconds(fromConfig: value * scale)
    }

    /// `2s`, `1.5s`, `250ms`: short, exact to the millisecond, and what `parse` reads back. Durations are written
    /// through this, never interpolated: Embedded Swift gives `Duration` no description.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.nanosecondsClamped / 1_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1000
        var fraction = milliseconds % 1000
        if fraction == 0 { return "\(seconds)s" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "\(seconds).\(padded)s"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return String(s)
    }
}
