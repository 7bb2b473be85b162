import CInit
import InitCore

/// The `pcinit status|start|stop|restart|logs` side of the control socket.
public enum ControlClient {
    /// Connects (blocking is fine: short-lived CLI process), sends one request, returns the result or error.
    /// Gives up after `timeoutSeconds` without a reply.
    public static func call(
        socketPath: String, method: String, params: JSONValue, timeoutSeconds: Int = 5
    ) -> Result<JSONValue, ControlClientError> {
        call(socketPath: socketPath, method: method, params: params, timeout: .seconds(timeoutSeconds))
    }

    /// The same within `timeout`, which may be under a second (`pcinit --check` shares its 1 s with it).
    public static func call(
        socketPath: String, method: String, params: JSONValue, timeout: Duration
    ) -> Result<JSONValue, ControlClientError> {
        let channel: ControlChannel
        switch ControlChannel.connect(socketPath) {
        case .success(let connected): channel = connected
        case .failure(let error): return .failure(error)
        }
        let deadline = MonotonicClock.now() + timeout
        let seconds = Int(max(1, (timeout.millisecondsRoundedUp + 999) / 1000))
        return request(on: channel, method: method, params: params, deadline: deadline, timeoutSeconds: seconds)
    }

    /// For `logs -f`: passes the initial lines, then each pushed line, to `onLine(service, line)` until the
    /// server closes (nil), the user interrupts (SIGINT/SIGTERM/SIGHUP, which pcinit keeps blocked: nil), or
    /// `outputFD` reports an error — e.g. `pcinit logs -f | head` after head exits (nil).
    public static func follow(
        socketPath: String, params: JSONValue, outputFD: Int32? = nil, onLine: (String, String) -> Void
    ) -> ControlClientError? {
        stream(
            socketPath: socketPath, method: ControlMethod.logs.rawValue, params: params, outputFD: outputFD,
            onResult: { result in
                guard let entries = LogEntry.entries(from: result) else { return .badReply("logs reply has no lines") }
                for entry in entries { onLine(entry.service, entry.line) }
                return nil
            },
            onNotification: { method, params in
                if method == LogEntry.notificationMethod, let entry = LogEntry(json: params) {
                    onLine(entry.service, entry.line)
                }
                return true
            })
    }

    /// One request whose answer is followed by notifications (logs -f, events, down): `onResult` gets the
    /// answer, `onNotification(method, params)` each notification until it returns false, the server closes,
    /// the user interrupts, or `outputFD` fails. Returns the first error, if any.
    public static func stream(
        socketPath: String, method: String, params: JSONValue, outputFD: Int32? = nil,
        onResult: (JSONValue) -> ControlClientError?, onNotification: (String, JSONValue) -> Bool
    ) -> ControlClientError? {
        let channel: ControlChannel
        switch ControlChannel.connect(socketPath) {
        case .success(let connected): channel = connected
        case .failure(let error): return error
        }
        let deadline = MonotonicClock.now() + .seconds(5)
        switch request(on: channel, method: method, params: params, deadline: deadline) {
        case .failure(let error): return error
        case .success(let result):
            if let error = onResult(result) { return error }
        }
        let interrupts = InterruptSignals()
        defer { interrupts.close() }
        var watched: [pollfd] = []
        if interrupts.fd >= 0 { watched.append(pollfd(fd: interrupts.fd, events: Int16(POLLIN), revents: 0)) }
        // Events 0: only POLLERR/POLLHUP, never "readable" (stdout may be a terminal the user types into).
        if let outputFD { watched.append(pollfd(fd: outputFD, events: 0, revents: 0)) }
        while true {
            switch channel.readLine(deadline: nil, alsoWatch: watched) {
            case .failure(let error): return error
            case .success(.closed), .success(.interrupted): return nil
            case .success(.line(let bytes)):
                guard case .success(.notification(let method, let params)) = ControlMessage.decode(line: bytes) else {
                    continue
                }
                if !onNotification(method, params) { return nil }
            }
        }
    }

    /// Sends request id 1 and waits for its response, skipping anything else (notifications).
    private static func request(
        on channel: ControlChannel, method: String, params: JSONValue, deadline: Instant, timeoutSeconds: Int = 5
    ) -> Result<JSONValue, ControlClientError> {
        let id = JSONValue.int(1)
        if let error = channel.send(ControlRequest(id: id, method: method, params: params).line) {
            return .failure(error)
        }
        while true {
            switch channel.readLine(deadline: deadline) {
            case .failure(.timedOut): return .failure(.timedOut(seconds: timeoutSeconds))
            case .failure(let error): return .failure(error)
            case .success(.closed), .success(.interrupted):
                return .failure(.connectionLost("pcinit closed the connection without answering"))
            case .success(.line(let bytes)):
                switch ControlMessage.decode(line: bytes) {
                case .failure(let error): return .failure(.badReply(error.message))
                case .success(.result(let replyID, let result)) where replyID == id: return .success(result)
                case .success(.error(let error)) where error.id == id || error.id == .null:
                    return .failure(.server(code: error.code, message: error.message))
                case .success: continue
                }
            }
        }
    }
}

/// A signalfd for the signals that should end `logs -f`. pcinit's main blocks every signal before it
/// dispatches, so they queue here instead of killing the process; when they are not blocked (tests), the
/// default action applies and this fd simply never fires.
private struct InterruptSignals {
    let fd: Int32

    init() {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&mask, signal) }
        fd = pci_signalfd(&mask)
    }

    func close() { if fd >= 0 { posixClose(fd) } }
}
