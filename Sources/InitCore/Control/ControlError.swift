/// A JSON-RPC 2.0 error object, with the id of the request it answers (null when the id is unknown).
public struct ControlError: Error, Equatable, Sendable, CustomStringConvertible {
    public var id: JSONValue
    public var code: Int
    public var message: String

    public init(id: JSONValue = .null, code: Int, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    public var description: String { message }

    // JSON-RPC 2.0's reserved codes, and the one application code pcinit uses.
    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// The request was understood but cannot be done: unknown service, too many connections, …
    public static let applicationError = -32000
    /// `reload`: the files have errors (the message lists them); nothing was changed.
    public static let configInvalid = -32001
}
