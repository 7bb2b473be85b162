/// A reading of the wall clock (CLOCK_REALTIME), in nanoseconds since 1970. Only for what people and
/// dashboards read (a start time); deadlines use `Instant`. The core never reads it: the shell passes it in.
public struct UnixTime: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: UnixTime, b: UnixTime) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Seconds since 1970, to the millisecond (a Double cannot hold nanoseconds at this size anyway).
    public var seconds: Double { Double(nanoseconds / 1_000_000) / 1000 }
}
