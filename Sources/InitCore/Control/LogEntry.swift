/// One line of a service's output, as `logs` returns it and as the `log` notification pushes it.
public struct LogEntry: Equatable, Sendable {
    public var service: String
    public var line: String

    public init(service: String, line: String) {
        self.service = service
        self.line = line
    }

    /// The notification method a follower receives for each new line.
    public static let notificationMethod = "log"

    /// `{"service":"web","line":"…"}`: an element of the result and the notification's params.
    public var json: JSONValue { .object([("service", .string(service)), ("line", .string(line))]) }

    public init?(json: JSONValue) {
        guard let service = json["service"]?.stringValue, let line = json["line"]?.stringValue else { return nil }
        self.init(service: service, line: line)
    }

    /// `{"lines":[…]}`.
    public static func result(_ entries: [LogEntry]) -> JSONValue {
        .object([("lines", .array(entries.map { $0.json }))])
    }

    public static func entries(from result: JSONValue) -> [LogEntry]? {
        guard let items = result["lines"]?.arrayValue else { return nil }
        var entries: [LogEntry] = []
        for item in items {
            guard let entry = LogEntry(json: item) else { return nil }
            entries.append(entry)
        }
        return entries
    }

    /// `name | line` with the name padded to `width`, as the live relay prints it.
    public func formatted(nameWidth width: Int) -> String {
        service + String(repeating: " ", count: max(0, width - service.count)) + " | " + line
    }
}
