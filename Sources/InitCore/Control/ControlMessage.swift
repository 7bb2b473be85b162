/// What travels from the server to a client: a response (result or error) or a notification.
public enum ControlMessage: Equatable, Sendable {
    case result(id: JSONValue, result: JSONValue)
    case error(ControlError)
    case notification(method: String, params: JSONValue)

    /// One compact line, newline included. JSONValue's writer escapes every control character, so the
    /// line can never contain a raw newline.
    public var line: String {
        let members: [(String, JSONValue)]
        switch self {
        case .result(let id, let result):
            members = [("jsonrpc", .string("2.0")), ("id", id), ("result", result)]
        case .error(let error):
            let body = JSONValue.object([("code", .int(Int64(error.code))), ("message", .string(error.message))])
            members = [("jsonrpc", .string("2.0")), ("id", error.id), ("error", body)]
        case .notification(let method, let params):
            members = [("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", params)]
        }
        return JSONValue.object(members).rendered() + "\n"
    }

    /// Reads one line from the server (client side). The error text says what was wrong with it.
    public static func decode(line: some Collection<UInt8>) -> Result<ControlMessage, ControlProtocolError> {
        let document: JSONValue
        do {
            document = try JSONParser.parse(line)
        } catch {
            return .failure(ControlProtocolError("unreadable reply from pcinit: \(error)"))
        }
        guard document.objectValue != nil, document["jsonrpc"] == .string("2.0") else {
            return .failure(ControlProtocolError("reply from pcinit is not a JSON-RPC 2.0 object"))
        }
        if let method = document["method"]?.stringValue {
            return .success(.notification(method: method, params: document["params"] ?? .null))
        }
        let id = document["id"] ?? .null
        if let result = document["result"] { return .success(.result(id: id, result: result)) }
        if let body = document["error"], let code = body["code"]?.intValue, let message = body["message"]?.stringValue,
            let small = Int(exactly: code)
        {
            return .success(.error(ControlError(id: id, code: small, message: message)))
        }
        return .failure(ControlProtocolError("reply from pcinit has neither a result nor an error"))
    }
}

/// The server sent something the client cannot understand.
public struct ControlProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
