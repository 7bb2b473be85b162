/// The outcome of start/stop/restart for one service: `{"service":"web","ok":true,"message":"…"}`.
/// The full result is `{"results":[…]}`, one per requested name, in request order.
public struct ControlOutcome: Equatable, Sendable {
    public var service: String
    public var ok: Bool
    /// A whole sentence for the user: "web started (pid 51)", `no service named "x"`.
    public var message: String

    public init(service: String, ok: Bool, message: String) {
        self.service = service
        self.ok = ok
        self.message = message
    }

    public var json: JSONValue {
        .object([("service", .string(service)), ("ok", .bool(ok)), ("message", .string(message))])
    }

    public init?(json: JSONValue) {
        guard let service = json["service"]?.stringValue, let ok = json["ok"]?.boolValue else { return nil }
        self.init(service: service, ok: ok, message: json["message"]?.stringValue ?? "")
    }

    /// `{"results":[…]}`.
    public static func result(_ outcomes: [ControlOutcome]) -> JSONValue {
        .object([("results", .array(outcomes.map { $0.json }))])
    }

    /// nil when the result does not have the documented shape.
    public static func outcomes(from result: JSONValue) -> [ControlOutcome]? {
        guard let items = result["results"]?.arrayValue else { return nil }
        var outcomes: [ControlOutcome] = []
        for item in items {
            guard let outcome = ControlOutcome(json: item) else { return nil }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
