import InitCore

/// How each service's lines look: the `name | ` prefix (names and `pcinit` padded to one width, coloured on a
/// terminal), the renderer when the output is not the plain prefixed batch (timestamps, JSON), and the
/// service's `log_location` file. Built once per run from `Log.format` and `Log.timestamps`.
public final class ServiceLogLayout {
    public enum Stream: String {
        case stdout, stderr
    }

    /// Every prefix (and `pcinit`'s own) is padded to this many characters before ` | `.
    public let width: Int
    private let names: [String]
    private let colours: (stdout: Bool, stderr: Bool)
    private let files: [LogFileSink?]

    public init(
        names: [String], logFiles: [LogFileConfig?], coloursOnStdout: Bool = TerminalStyle.coloursWanted(fd: 1),
        coloursOnStderr: Bool = TerminalStyle.coloursWanted(fd: 2)
    ) {
        self.names = names
        width = max("pcinit".count, names.map(\.count).max() ?? 0)
        let coloured = Log.format == .text
        colours = (coloured && coloursOnStdout, coloured && coloursOnStderr)
        files = names.indices.map { index in
            index < logFiles.count ? logFiles[index].map { LogFileSink(config: $0) } : nil
        }
    }

    /// pcinit's own prefix, to be set as `Log.prefix`.
    public func applyToLog() { Log.setPrefix(width: width, colour: colours.stderr) }

    /// `name   | ` for the batch (the ring keeps lines without it; a plain text output is the batch itself).
    public func prefix(_ index: Int, _ stream: Stream) -> String {
        let name = names[index]
        let padded = name + String(repeating: " ", count: max(0, width - name.count)) + " |"
        let colour = stream == .stdout ? colours.stdout : colours.stderr
        return (colour ? TerminalStyle.coloured(padded, index: index) : padded) + " "
    }

    /// nil: the batch goes out as it is (plain text, the fast path).
    func renderer(_ index: Int, _ stream: Stream) -> LineRenderer? {
        switch Log.format {
        case .json: return LineRenderer(style: .json, service: names[index], stream: stream.rawValue)
        case .text:
            guard Log.timestamps else { return nil }
            return LineRenderer(
                style: .text(timestamps: true, keepPrefix: true), service: names[index], stream: stream.rawValue)
        }
    }

    /// The service's log file and how its lines are written there: without the prefix, else as on stdout.
    func file(_ index: Int, _ stream: Stream) -> LogRelay.FileOutput? {
        guard index < files.count, let sink = files[index] else { return nil }
        let style: LineRenderer.Style =
            Log.format == .json ? .json : .text(timestamps: Log.timestamps, keepPrefix: false)
        return LogRelay.FileOutput(
            sink: sink, renderer: LineRenderer(style: style, service: names[index], stream: stream.rawValue))
    }
}
