/// Linux signal names and numbers (x86_64 and aarch64 share these), for config parsing and messages.
public enum SignalNames {
    /// Standard signals 1...31 by number; index 0 unused.
    static let standard = [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ]
    /// glibc reserves 32 and 33 for itself; SIGRTMIN is 34 and SIGRTMAX 64.
    public static let realTimeMin: Int32 = 34
    public static let realTimeMax: Int32 = 64

    /// `SIGTERM`, `SIGRTMIN+3`, or `signal 99` for numbers with no name.
    public static func name(of signal: Int32) -> String {
        if signal > 0 && Int(signal) < standard.count { return "SIG" + standard[Int(signal)] }
        if signal >= realTimeMin && signal <= realTimeMax {
            return signal == realTimeMin ? "SIGRTMIN" : "SIGRTMIN+\(signal - realTimeMin)"
        }
        return "signal \(signal)"
    }

    /// Accepts `SIGTERM`, `TERM`, `term`, `15`, `SIGRTMIN+2`, `RTMAX-1`, and the aliases IOT, POLL, CLD.
    public static func number(of text: String) -> Int32? {
        if let n = Int32(text) { return (1...31).contains(n) || (realTimeMin...realTimeMax).contains(n) ? n : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        switch name {
        case "IOT": return 6
        case "POLL": return 29
        case "CLD": return 17
        default: break
        }
        if let index = standard.firstIndex(of: name), index > 0 { return Int32(index) }
        for (base, origin, sign) in [("RTMIN", realTimeMin, Int32(1)), ("RTMAX", realTimeMax, Int32(-1))]
        where name.hasPrefix(base) {
            let rest = name.dropFirst(base.count)
            if rest.isEmpty { return origin }
            guard let first = rest.first, first == (sign > 0 ? "+" : "-"), let offset = Int32(rest.dropFirst()),
                offset >= 0
            else { return nil }
            let n = origin + sign * offset
            return n >= realTimeMin && n <= realTimeMax ? n : nil
        }
        return nil
    }
}
