import InitCore

/// One accepted client: what it sent so far, what we still owe it, and when it must be gone.
final class HealthConnection {
    enum Phase {
        /// Collecting the request head.
        case reading
        /// Sending the answer; waits for EPOLLOUT when the socket buffer is full.
        case writing
        /// Answer sent and our side shut down: reading and discarding until the client closes, so that closing with
        /// unread bytes does not reset the connection before the client has read the answer.
        case draining
        /// `GET /events`: server-sent events, one `data:` line per transition, until the client goes.
        case streaming
    }

    let fd: Int32
    let peerIsLoopback: Bool
    var watch: EventLoop.Watch?
    var deadlineTimer: EventLoop.Timer?
    var deadline: Instant
    var phase = Phase.reading
    var input: [UInt8] = []
    /// Bytes of `input` already searched for the end of the head.
    var searched = 0
    var output: [UInt8] = []
    var written = 0
    var drained = 0

    init(fd: Int32, peerIsLoopback: Bool, deadline: Instant) {
        self.fd = fd
        self.peerIsLoopback = peerIsLoopback
        self.deadline = deadline
    }

    /// Can be closed to make room for a new client without cutting an answer short (an event stream is busy).
    var isIdle: Bool { phase != .writing && phase != .streaming }
}
