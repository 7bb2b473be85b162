/// `pcinit status`'s table: aligned columns NAME STATE READY PID RESTARTS EXIT UPTIME CPU MEM, then one line
/// per service whose state needs explaining (`detail`), then a note while pcinit is stopping.
public enum StatusTable {
    static let headers = ["NAME", "STATE", "READY", "PID", "RESTARTS", "EXIT", "UPTIME", "CPU", "MEM"]
    static let gap = "  "

    public static func render(_ report: StatusReport) -> String {
        let rows = [headers] + report.services.map(cells)
        var widths = [Int](repeating: 0, count: headers.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var out = ""
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                if column > 0 { line += gap }
                line += cell
                if column < row.count - 1 { line += String(repeating: " ", count: widths[column] - cell.count) }
            }
            out += line + "\n"
        }
        let explained = report.services.filter { $0.detail != nil }
        if !explained.isEmpty {
            out += "\n"
            for row in explained { out += "\(row.name): \(row.detail!)\n" }
        }
        if report.stopping {
            out += "\npcinit is stopping\n"
            for row in report.services {
                guard let seconds = row.killInSeconds else { continue }
                out += "\(row.name): \(row.state), SIGKILL in \(killText(seconds))\n"
            }
        }
        return out
    }

    static func cells(_ row: StatusRow) -> [String] {
        [
            row.name,
            row.state,
            row.ready ? "yes" : "no",
            row.pid.map(String.init) ?? "-",
            String(row.restarts),
            row.exitCode.map(String.init) ?? "-",
            row.uptimeSeconds.map(uptimeText) ?? "-",
            row.cpuSeconds.map(cpuText) ?? "-",
            row.memoryRSSBytes.map(memoryText) ?? "-",
        ]
    }

    /// CPU time as `ps` would round it for a glance: `0.42s`, `12.3s`, then like uptime (`3m07s`).
    static func cpuText(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "0s" }
        if seconds >= 60 { return uptimeText(seconds) }
        if seconds >= 10 { return decimal(seconds, digits: 1) + "s" }
        return decimal(seconds, digits: 2) + "s"
    }

    /// Binary units like `top`: `512K`, `12.3M`, `1.20G`; bytes under a KiB as they are.
    static func memoryText(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
        for (size, unit) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            if value >= 100 { return String(Int64(value.rounded(.down))) + unit }
            return decimal(value, digits: value >= 10 ? 1 : 2) + unit
        }
        return String(max(0, bytes)) + "B"
    }

    /// `value` with `digits` (1 or 2) decimals, rounded down so a figure never shows more than it is.
    private static func decimal(_ value: Double, digits: Int) -> String {
        let scale: Int64 = digits == 1 ? 10 : 100
        let scaled = Int64((value * Double(scale)).rounded(.down))
        let fraction = String(scaled % scale)
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return "\(scaled / scale).\(padded)"
    }

    /// `4.2s` under a minute, else like uptime.
    static func killText(_ seconds: Double) -> String {
        guard seconds < 60 else { return uptimeText(seconds) }
        let tenths = Int64((seconds * 10).rounded(.up))
        return "\(tenths / 10).\(tenths % 10)s"
    }

    /// Two units at most, like `ps`: `45s`, `3m07s`, `2h05m`, `4d03h`.
    public static func uptimeText(_ seconds: Double) -> String {
        let total = seconds.isFinite ? Int64(max(0, seconds.rounded(.down))) : 0
        let (days, hours, minutes, secs) = (total / 86400, total / 3600 % 24, total / 60 % 60, total % 60)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : String(n) }
        if days > 0 { return "\(days)d\(two(hours))h" }
        if hours > 0 { return "\(hours)h\(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }
}
