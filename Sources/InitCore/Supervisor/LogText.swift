/// Wording for pcinit's own messages.
enum LogText {
    /// `SIGTERM`, `SIGKILL`...; Linux numbering. Unknown numbers read `signal 40`.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
            8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
            14: "SIGALRM", 15: "SIGTERM", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP",
            21: "SIGTTIN", 22: "SIGTTOU", 24: "SIGXCPU", 25: "SIGXFSZ", 28: "SIGWINCH",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// `exited 1` or `killed by SIGSEGV`.
    static func ending(_ termination: ChildTermination) -> String {
        switch termination {
        case .exited(let code): "exited \(code)"
        case .signaled(let signal): "killed by \(signalName(signal))"
        }
    }

    /// `1 time`, `3 times`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `2s`, `1.5s`, `250ms`: short, exact to the millisecond.
    static func duration(_ duration: Duration) -> String {
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
