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

    static func duration(_ duration: Duration) -> String { DurationText.format(duration) }
}
