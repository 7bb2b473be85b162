/// A point on the monotonic clock, in nanoseconds. The core never reads a clock: callers pass `now`,
/// so tests drive time by hand.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (a: Instant, d: Duration) -> Instant {
        Instant(nanoseconds: a.nanoseconds + d.nanosecondsClamped)
    }

    public static func - (a: Instant, b: Instant) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// Whole nanoseconds, saturating at Int64's range.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Milliseconds rounded up, so a timer never fires early.
    public var millisecondsRoundedUp: Int64 {
        let ns = nanosecondsClamped
        if ns <= 0 { return 0 }
        return (ns + 999_999) / 1_000_000
    }

    /// A duration from a (possibly fractional) number of seconds, as config files give them. Clamped to what
    /// Int64 nanoseconds hold (~292 years): converting a larger double, as `PCINIT_…=1e10` gave it, trapped.
    public static func seconds(fromConfig value: Double) -> Duration {
        let nanoseconds = (value * 1e9).rounded()
        if nanoseconds.isNaN { return .zero }
        if nanoseconds >= 0x1p63 { return .nanoseconds(Int64.max) }
        if nanoseconds < -0x1p63 { return .nanoseconds(Int64.min) }
        return .nanoseconds(Int64(nanoseconds))
    }
}
