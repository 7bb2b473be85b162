import CInit
import InitCore

/// One client of the control socket. Reads newline-delimited requests, hands each to the server's handler,
/// and writes responses without ever blocking the loop. Memory stays bounded whatever the peer does:
/// an unterminated line longer than `maxLineBytes` ends the connection, requests stop being read while
/// more than `readPauseBytes` of output waits, and a follower whose queue passes `maxQueuedBytes` is dropped.
public final class ControlConnection {
    private var fd: Int32
    private let loop: EventLoop
    private let limits: ControlServer.Limits
    /// Dropped by `close`: it usually reaches the runtime that owns the server, and an open connection is held by
    /// the loop (its watch), so keeping it past the end would tie them together.
    private var handler: ((ControlRequest, ControlConnection) -> Void)?
    private var watch: EventLoop.Watch?
    private var interest: UInt32

    private var input: [UInt8] = []
    private var output: [UInt8] = []
    private var outputStart = 0
    /// Requests handed to the handler and not yet answered: a half-closed peer still gets them.
    private var outstanding = 0
    /// The peer sent EOF, or a line was too long: read nothing more.
    private var readClosed = false
    /// Close once everything queued is written, answered or not (after a fatal protocol error).
    private var closeWhenFlushed = false
    /// Being dropped for not reading: nothing more is queued.
    private var dropping = false
    private var dropTimer: EventLoop.Timer?
    /// Inside `processLines`: a reply that drains the queue must not start a second, nested pass.
    private var processing = false

    /// Called once when the connection ends, whoever ends it (peer, server, slow-reader drop, `close`).
    public var onClose: (() -> Void)?
    /// The server's bookkeeping hook.
    var onRemoved: ((ControlConnection) -> Void)?

    public var isOpen: Bool { fd >= 0 }

    /// The server's accept serial, unique for the server's life: what the runtime's follower tables key on, so
    /// its callbacks name a connection without holding it.
    public let id: UInt64

    /// A `logs -f` (or events) follower: busy for as long as it is open, never evicted as idle.
    public var isFollowing = false

    /// Nothing in progress: no request being answered or read, nothing to write, not following.
    var isIdle: Bool { isOpen && !isFollowing && outstanding == 0 && queuedBytes == 0 && input.isEmpty }

    /// Bytes waiting to be written.
    public var queuedBytes: Int { output.count - outputStart }

    init(
        fd: Int32, id: UInt64, loop: EventLoop, limits: ControlServer.Limits,
        handler: @escaping (ControlRequest, ControlConnection) -> Void
    ) throws(SystemError) {
        self.fd = fd
        self.id = id
        self.loop = loop
        self.limits = limits
        self.handler = handler
        interest = UInt32(EPOLLIN.rawValue)
        do {
            watch = try loop.watch(fd, for: interest) { [self] events in handle(events) }
        } catch {
            self.fd = -1  // The caller still owns the fd and closes it; deinit must not.
            throw error
        }
    }

    deinit { close() }

    public func reply(id: JSONValue, result: JSONValue) {
        answered()
        send(.result(id: id, result: result))
    }

    public func fail(id: JSONValue, code: Int, message: String) {
        answered()
        send(.error(ControlError(id: id, code: code, message: message)))
    }

    /// Pushes a notification to a follower; drops the connection instead when the peer is not reading. With
    /// `lastWords`, the dropped peer gets one last `dropped` notification saying why (in place of what it did
    /// not read), and the connection closes once that is out, or after a second at most.
    public func notify(method: String, params: JSONValue, lastWords: ((Int) -> String)? = nil) {
        notify(line: ControlMessage.notification(method: method, params: params).line, lastWords: lastWords)
    }

    /// The same with the line already rendered: an event goes to every follower as the same bytes.
    public func notify(line: String, lastWords: ((Int) -> String)? = nil) {
        guard isOpen, !dropping else { return }
        if queuedBytes > limits.maxQueuedBytes {
            Log.debug("control: dropping a client that stopped reading (\(queuedBytes) bytes queued)")
            guard let lastWords else {
                close()
                return
            }
            dropWithLastWords(lastWords(queuedBytes))
            return
        }
        send(line: line)
    }

    private func dropWithLastWords(_ message: String) {
        dropping = true
        // Keep the rest of a line already partly written (a torn line would corrupt the stream), forget the
        // unsent ones.
        let newline = UInt8(ascii: "\n")
        if outputStart > 0, output[outputStart - 1] != newline, let end = output[outputStart...].firstIndex(of: newline)
        {
            output.removeSubrange((end + 1)...)
        } else {
            output.removeSubrange(outputStart...)
        }
        readClosed = true
        closeWhenFlushed = true
        output.append(
            contentsOf: ControlMessage.notification(
                method: ServiceEvent.droppedMethod, params: .object([("message", .string(message))])
            ).line.utf8)
        // Held strongly until it fires or `close` cancels it.
        dropTimer = loop.schedule(at: MonotonicClock.now() + .seconds(1)) { self.close() }
        flush()
    }

    /// Closes now, discarding unwritten output. Idempotent.
    public func close() {
        guard fd >= 0 else { return }
        if let dropTimer { loop.cancel(dropTimer) }
        dropTimer = nil
        if let watch { loop.unwatch(watch) }
        watch = nil
        posixClose(fd)
        fd = -1
        input = []
        output = []
        outputStart = 0
        handler = nil
        let callback = onClose
        onClose = nil
        onRemoved?(self)
        onRemoved = nil
        callback?()
    }

    // MARK: - Events

    private func handle(_ events: UInt32) {
        if events & UInt32(EPOLLERR.rawValue) != 0 {
            close()
            return
        }
        if events & UInt32(EPOLLOUT.rawValue) != 0 { flush() }
        if isOpen, events & UInt32(EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 { receive() }
        // Fully hung up with nothing readable left: nobody can read what we would write.
        if isOpen, events & UInt32(EPOLLHUP.rawValue) != 0 { close() }
    }

    private func receive() {
        // A few reads per wake-up, so one busy client cannot starve the loop.
        for _ in 0..<4 {
            guard isOpen, !readClosed, !isPaused else { break }
            let count = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16384) { buffer in
                let n = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
                if n > 0 { input.append(contentsOf: buffer[..<n]) }
                return n
            }
            if count > 0 {
                processLines()
                continue
            }
            if count == 0 {
                readClosed = true
                // The last request may lack its newline (`printf '…' | nc -U`).
                if !input.isEmpty { dispatch(input[...]) }
                input = []
                break
            }
            if errno == EINTR { continue }
            if errno != EAGAIN && errno != EWOULDBLOCK { close() }
            break
        }
        finishIfDone()
        updateInterest()
    }

    private var isPaused: Bool { queuedBytes > limits.readPauseBytes }

    /// Dispatches every complete line in `input` while output is not backed up.
    private func processLines() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        var consumed = 0
        while isOpen, !readClosed, !isPaused {
            guard let newline = input[consumed...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let line = input[consumed..<newline]
            consumed = newline + 1
            if line.count > limits.maxLineBytes {
                rejectLongLine()
                return
            }
            dispatch(line)
        }
        guard isOpen, !readClosed else { return }
        input.removeFirst(consumed)
        if input.count > limits.maxLineBytes && input.firstIndex(of: UInt8(ascii: "\n")) == nil { rejectLongLine() }
    }

    private func dispatch(_ raw: ArraySlice<UInt8>) {
        var line = raw
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        switch ControlRequest.decode(line: line) {
        case .success(let request):
            outstanding += 1
            handler?(request, self)
        case .failure(let error):
            send(.error(error))
        }
    }

    private func rejectLongLine() {
        let message = "invalid request: line longer than \(limits.maxLineBytes) bytes; closing the connection"
        input = []
        readClosed = true
        closeWhenFlushed = true
        send(.error(ControlError(code: ControlError.invalidRequest, message: message)))
    }

    // MARK: - Output

    private func answered() {
        if outstanding > 0 { outstanding -= 1 }
    }

    private func send(_ message: ControlMessage) { send(line: message.line) }

    private func send(line: String) {
        guard isOpen else { return }
        let wasEmpty = queuedBytes == 0
        output.append(contentsOf: line.utf8)
        if wasEmpty { flush() } else { updateInterest() }
        finishIfDone()
    }

    /// Writes what the socket takes now; EPOLLOUT brings us back for the rest.
    private func flush() {
        let wasPaused = isPaused
        while isOpen, queuedBytes > 0 {
            let n = output.withUnsafeBytes { raw in
                posixSend(fd, raw.baseAddress! + outputStart, queuedBytes, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                outputStart += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                close()  // EPIPE, ECONNRESET: the peer is gone.
                return
            }
        }
        if outputStart == output.count {
            output = []
            outputStart = 0
        } else if outputStart >= 65536 {
            output.removeFirst(outputStart)
            outputStart = 0
        }
        if wasPaused && !isPaused {
            // Requests waited in `input` while output was backed up.
            processLines()
        }
        finishIfDone()
        updateInterest()
    }

    private func finishIfDone() {
        guard isOpen, queuedBytes == 0 else { return }
        if closeWhenFlushed || (readClosed && outstanding == 0) { close() }
    }

    private func updateInterest() {
        guard isOpen, let watch else { return }
        var wanted: UInt32 = 0
        if !readClosed && !isPaused { wanted |= UInt32(EPOLLIN.rawValue) }
        if queuedBytes > 0 { wanted |= UInt32(EPOLLOUT.rawValue) }
        if wanted != interest {
            interest = wanted
            loop.change(watch, to: wanted)
        }
    }
}
