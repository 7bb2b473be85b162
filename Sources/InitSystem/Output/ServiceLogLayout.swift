import InitCore

/// How services' lines look: the `name | ` prefix coloured on a terminal, the renderer when the output is not
/// the plain prefixed batch (timestamps, JSON), and each service's `log_location` file. Built once per run from
/// `Log.format` and `Log.timestamps`; services come and go, so everything is asked for per service.
public final class ServiceLogLayout {
    public enum Stream: String {
        case stdout, stderr
    }

    /// `pcinit` is never narrower than its own name.
    static let minimumWidth = "pcinit".count

    private let colours: (stdout: Bool, stderr: Bool)
    /// Open log files by service, kept across restarts, dropped with the service.
    private var files: [ServiceID: LogFileSink] = [:]

    public init(
        coloursOnStdout: Bool = TerminalStyle.coloursWanted(fd: 1),
        coloursOnStderr: Bool = TerminalStyle.coloursWanted(fd: 2)
    ) {
        let coloured = Log.format == .text
        colours = (coloured && coloursOnStdout, coloured && coloursOnStderr)
    }

    /// The width every prefix, and pcinit's own, is padded to: the longest name, at least `pcinit`.
    public static func width(names: some Sequence<String>) -> Int {
        max(minimumWidth, names.map { $0.count }.max() ?? 0)
    }

    /// pcinit's own prefix at `width`, set as `Log.prefix`.
    public func applyToLog(width: Int) { Log.setPrefix(width: width, colour: colours.stderr) }

    /// `plain` (`name   | `) as this stream shows it: coloured by `colourIndex` on a terminal.
    public func prefix(_ plain: String, colourIndex: Int, _ stream: Stream) -> String {
        guard stream == .stdout ? colours.stdout : colours.stderr, plain.hasSuffix(" ") else { return plain }
        return TerminalStyle.coloured(String(plain.dropLast()), index: colourIndex) + " "
    }

    /// nil: the batch goes out as it is (plain text, the fast path).
    func renderer(name: String, _ stream: Stream) -> LineRenderer? {
        switch Log.format {
        case .json: return LineRenderer(style: .json, service: name, stream: stream.rawValue)
        case .text:
            guard Log.timestamps else { return nil }
            return LineRenderer(
                style: .text(timestamps: true, keepPrefix: true), service: name, stream: stream.rawValue)
        }
    }

    /// The service's log file (opened on its first line, kept across restarts) and how lines are written there:
    /// without the prefix, with the time if `log_timestamps`, or as JSON objects.
    func file(_ id: ServiceID, _ config: LogFileConfig?, name: String, _ stream: Stream) -> LogRelay.FileOutput? {
        guard let config else { return nil }
        // A reload that changed `log_location` or its rotation gets a new file; the old one closes with its relays.
        let sink = files[id].flatMap { $0.config == config ? $0 : nil } ?? LogFileSink(config: config)
        files[id] = sink
        let style: LineRenderer.Style =
            Log.format == .json ? .json : .text(timestamps: Log.timestamps, keepPrefix: false)
        return LogRelay.FileOutput(
            sink: sink, renderer: LineRenderer(style: style, service: name, stream: stream.rawValue))
    }

    /// The service is gone: its file is closed once its last relay lets go of it.
    public func forget(_ id: ServiceID) { files[id] = nil }
}
