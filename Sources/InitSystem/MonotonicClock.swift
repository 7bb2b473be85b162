import Glibc
import InitCore

/// The real clock behind the core's `Instant`.
public enum MonotonicClock {
    public static func now() -> Instant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Instant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }
}

/// The wall clock, for timestamps people and log shippers read (never for deadlines).
public enum WallClock {
    public static func rfc3339() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return RFC3339.format(secondsSinceEpoch: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
    }
}
