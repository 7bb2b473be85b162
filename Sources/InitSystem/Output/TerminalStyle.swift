import CInit

/// ANSI colours for the `name |` prefixes, only where a person reads them: the fd is a terminal, `NO_COLOR`
/// is unset or empty (no-color.org), and `TERM` is not `dumb`. Never in JSON mode or in log files.
public enum TerminalStyle {
    public static func coloursWanted(fd: Int32) -> Bool {
        guard isatty(fd) == 1 else { return false }
        if let noColor = ProcessEnvironment.value("NO_COLOR"), !noColor.isEmpty { return false }
        return ProcessEnvironment.value("TERM") != "dumb"
    }

    /// Cyan, yellow, green, magenta, blue and their bright forms; red is left for nobody (it reads as an error).
    static let palette = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94]

    static func coloured(_ text: String, index: Int) -> String {
        "\u{1B}[\(palette[index % palette.count])m" + text + "\u{1B}[0m"
    }

    static func bold(_ text: String) -> String { "\u{1B}[1m" + text + "\u{1B}[0m" }
}
