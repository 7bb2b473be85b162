import CInit
import InitCore

/// Why a control command could not get its answer. `description` is the line `pcinit` prints.
public enum ControlClientError: Error, Equatable, CustomStringConvertible {
    /// Nothing listens at the path (no file, or a stale socket): pcinit is not running there.
    case notRunning(path: String, errno: Int32)
    /// The socket exists but connecting failed otherwise (EACCES when not root, …).
    case cannotConnect(path: String, errno: Int32)
    /// Sending or receiving failed, or pcinit closed the connection before answering.
    case connectionLost(String)
    case timedOut(seconds: Int)
    /// pcinit answered with something this client cannot read.
    case badReply(String)
    /// pcinit answered with a JSON-RPC error (unknown service, invalid params, …).
    case server(code: Int, message: String)

    public var description: String {
        switch self {
        case .notRunning(let path, let code):
            "no pcinit is running (cannot connect to \(path): \(SystemError.describe(code)))"
        case .cannotConnect(let path, let code):
            "cannot connect to \(path): \(SystemError.describe(code))"
        case .connectionLost(let what): "lost the connection to pcinit: \(what)"
        case .timedOut(let seconds): "pcinit did not answer within \(seconds) s"
        case .badReply(let what): what
        case .server(_, let message): message
        }
    }
}
