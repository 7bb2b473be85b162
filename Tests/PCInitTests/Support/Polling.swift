/// Deadline polling for tests: check a condition often, give up at a deadline. The tests poll; pcinit
/// itself never does.
enum Poll {
    /// Calls `condition` until it returns true (→ true) or `timeout` passes (→ false).
    static func until(
        timeout: Duration = .seconds(10),
        every interval: Duration = .milliseconds(5),
        _ condition: () throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: interval)
        }
    }

    /// Calls `produce` until it returns a value (→ that value) or `timeout` passes (→ nil).
    static func value<T>(
        timeout: Duration = .seconds(10),
        every interval: Duration = .milliseconds(5),
        _ produce: () throws -> T?
    ) async rethrows -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let value = try produce() { return value }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: interval)
        }
    }
}
