/// One JSON-RPC 2.0 request line, as the server hands it to its handler.
public struct ControlRequest: Equatable, Sendable {
    /// A string, number or null: echoed back in the response.
    public var id: JSONValue
    public var method: String
    /// Always an object or array; `{}` when the request had none.
    public var params: JSONValue

    public init(id: JSONValue, method: String, params: JSONValue = .object([])) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// The request as one compact line, newline included.
    public var line: String {
        JSONValue.object([("jsonrpc", .string("2.0")), ("id", id), ("method", .string(method)), ("params", params)])
            .rendered() + "\n"
    }

    /// Decodes one line (without its newline). Failures carry the JSON-RPC code and, when it could be
    /// read, the request's id. Deliberate limits: no batches, and no notifications (a request without
    /// an id gets an error instead of silence, so a hand-typed request never vanishes).
    public static func decode(line: some Collection<UInt8>) -> Result<ControlRequest, ControlError> {
        let document: JSONValue
        do {
            document = try JSONParser.parse(line)
        } catch {
            return .failure(ControlError(code: ControlError.parseError, message: "parse error: \(error)"))
        }
        guard let members = document.objectValue else {
            let message =
                document.arrayValue != nil
                ? "batch requests are not supported" : "a request must be a JSON object, got \(document.typeName)"
            return .failure(ControlError(code: ControlError.invalidRequest, message: message))
        }
        var id = JSONValue.null
        if let given = document["id"] {
            switch given {
            case .string, .int, .double, .null: id = given
            default:
                return .failure(invalid("\"id\" must be a string, number or null, got \(given.typeName)", id: .null))
            }
        } else {
            return .failure(invalid("notifications are not supported: the request needs an \"id\"", id: .null))
        }
        guard document["jsonrpc"] == .string("2.0") else {
            return .failure(invalid("\"jsonrpc\" must be \"2.0\"", id: id))
        }
        guard let method = document["method"]?.stringValue else {
            return .failure(invalid("\"method\" must be a string", id: id))
        }
        let params = document["params"] ?? .object([])
        guard params.objectValue != nil || params.arrayValue != nil else {
            return .failure(invalid("\"params\" must be an object or array, got \(params.typeName)", id: id))
        }
        for (key, _) in members where !["jsonrpc", "id", "method", "params"].contains(key) {
            return .failure(invalid("unknown request member \"\(key)\"", id: id))
        }
        return .success(ControlRequest(id: id, method: method, params: params))
    }

    private static func invalid(_ message: String, id: JSONValue) -> ControlError {
        ControlError(id: id, code: ControlError.invalidRequest, message: "invalid request: \(message)")
    }
}
