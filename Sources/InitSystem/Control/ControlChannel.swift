import CInit
import InitCore

/// The client's end of one control connection: a blocking socket, written whole and read line by line.
/// Fine for a short-lived CLI process; waits are bounded with poll so a wedged server cannot hang it.
final class ControlChannel {
    /// A whole reply must fit (a full `logs` dump of many services is a few MiB at most).
    static let maxLineBytes = 64 << 20

    let fd: Int32
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var sawEOF = false

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    static func connect(_ path: String) -> Result<ControlChannel, ControlClientError> {
        let address: (sockaddr_un, socklen_t)
        let fd: Int32
        do {
            address = try UnixSocket.address(path)
            fd = try UnixSocket.make(nonblocking: false)
        } catch {
            return .failure(.cannotConnect(path: path, errno: error.errno))
        }
        let channel = ControlChannel(fd: fd)
        // Bounds connect (when the listen backlog is full) and send; reads use poll deadlines.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let code = UnixSocket.connect(fd, to: address.0, length: address.1)
        switch code {
        case 0: return .success(channel)
        case ENOENT, ECONNREFUSED: return .failure(.notRunning(path: path, errno: code))
        case EAGAIN: return .failure(.timedOut(seconds: 5))
        default: return .failure(.cannotConnect(path: path, errno: code))
        }
    }

    func send(_ text: String) -> ControlClientError? {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { posixSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                bytes = bytes.dropFirst(n)
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return .timedOut(seconds: 5)
            } else {
                return .connectionLost("send: \(SystemError.describe(errno))")
            }
        }
        return nil
    }

    enum ReadOutcome {
        case line([UInt8])
        case closed
        /// `poll` saw one of the extra fds (a signal, a closed stdout) before a line arrived.
        case interrupted(fd: Int32)
    }

    /// The next line (without its newline). `deadline` nil waits forever; any `alsoWatch` entry reporting
    /// an event ends the wait (a readable signalfd; with events 0, a pipe whose reader went away).
    func readLine(deadline: Instant?, alsoWatch: [pollfd] = []) -> Result<ReadOutcome, ControlClientError> {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                scanned = 0
                return .success(.line(line))
            }
            scanned = buffer.count
            if sawEOF { return .success(.closed) }
            if buffer.count > ControlChannel.maxLineBytes {
                return .failure(.badReply("reply from pcinit is too large"))
            }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            fds += alsoWatch
            var wait: Int32 = -1
            if let deadline {
                let left = (deadline - MonotonicClock.now()).millisecondsRoundedUp
                if left <= 0 { return .failure(.timedOut(seconds: 5)) }
                wait = Int32(clamping: left)
            }
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failure(.connectionLost("poll: \(SystemError.describe(errno))"))
            }
            if let extra = fds.dropFirst().first(where: { $0.revents != 0 }) {
                return .success(.interrupted(fd: extra.fd))
            }
            if fds[0].revents == 0 { continue }
            if let failure = receive() { return .failure(failure) }
        }
    }

    private func receive() -> ControlClientError? {
        let n = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { chunk in
            let n = recv(fd, chunk.baseAddress, chunk.count, 0)
            if n > 0 { buffer.append(contentsOf: chunk[..<n]) }
            return n
        }
        if n == 0 { sawEOF = true }
        if n < 0 && errno != EINTR && errno != EAGAIN {
            if errno == ECONNRESET {
                sawEOF = true
            } else {
                return .connectionLost("recv: \(SystemError.describe(errno))")
            }
        }
        return nil
    }
}
