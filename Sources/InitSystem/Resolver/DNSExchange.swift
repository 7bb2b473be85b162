import CInit
import InitCore

/// A nameserver as an exchange uses it: where to send, and how messages name it.
struct Nameserver {
    var address: SocketAddress
    /// `10.0.0.2`, with the port only when it is not 53.
    var label: String

    init(_ ip: IPAddress, port: UInt16) {
        address = SocketAddress(ip, port: Int(port))
        let text = ip.isIPv4 ? ip.description : "[\(ip)]"
        label = port == 53 ? ip.description : "\(text):\(port)"
    }
}

/// What the resolver holds right now, so a test can see that a cancelled lookup let go of everything.
final class ResolverResources {
    var sockets = 0
    var timers = 0
}

/// One DNS question (a name and A or AAAA) over UDP. Each nameserver is asked in turn, `attempts` rounds,
/// each try on a fresh connected socket (so the kernel picks a new random source port and drops datagrams
/// from anyone but that nameserver) with a fresh random id, waiting `timeout` for the reply. Replies that
/// do not carry the id and the question are dropped; SERVFAIL, REFUSED and the like, a refused port, or
/// silence move on to the next try; NOERROR, NXDOMAIN and a truncated reply end the exchange.
/// `report` is called once: never from inside `start()`, never after `cancel()`.
final class DNSExchange {
    /// Plain DNS over UDP is at most 512 bytes (no EDNS is offered); a larger datagram is cut here.
    static let receiveBufferSize = 4096
    /// Datagrams read per wake-up: a chatty peer cannot keep the loop in here.
    static let datagramsPerWake = 16

    private let loop: EventLoop
    private let question: DNSQuestion
    private let servers: [Nameserver]
    private let timeout: Duration
    private let tries: Int
    private let resources: ResolverResources
    private var report: ((DNSQueryOutcome) -> Void)?

    private var tryNumber = 0
    private var current = 0
    private var query: DNSMessage?
    private var fd: Int32 = -1
    private var watch: EventLoop.Watch?
    private var timer: EventLoop.Timer?
    private var timerToken = 0
    /// What went wrong with each nameserver on its last try, for the "no answer" summary.
    private var problems: [String?]
    private var lastServerError: (code: DNSResponseCode, server: String)?

    init(
        loop: EventLoop,
        question: DNSQuestion,
        servers: [Nameserver],
        timeout: Duration,
        attempts: Int,
        resources: ResolverResources,
        report: @escaping (DNSQueryOutcome) -> Void
    ) {
        precondition(!servers.isEmpty, "an exchange needs a nameserver")
        self.loop = loop
        self.question = question
        self.servers = servers
        self.timeout = timeout
        tries = max(1, attempts) * servers.count
        self.resources = resources
        self.report = report
        problems = Array(repeating: nil, count: servers.count)
    }

    /// Sends the first query on the next loop turn.
    func start() {
        setTimer(at: MonotonicClock.now()) { [self] in nextTry() }
    }

    /// Closes the socket and drops the timer; nothing is reported.
    func cancel() {
        report = nil
        release()
    }

    private func finish(_ outcome: DNSQueryOutcome) {
        release()
        guard let report else { return }
        self.report = nil
        report(outcome)
    }

    private func release() {
        cancelTimer()
        closeSocket()
    }

    private func nextTry() {
        closeSocket()
        guard tryNumber < tries else {
            if let lastServerError { return finish(.serverError(lastServerError.code, server: lastServerError.server)) }
            let said = servers.indices.compactMap { index in problems[index].map { "\(servers[index].label) (\($0))" } }
            return finish(.noResponse(summary: "no answer from \(said.joined(separator: ", "))"))
        }
        current = tryNumber % servers.count
        tryNumber += 1
        let message = DNSMessage.query(id: UInt16.random(in: .min ... .max), name: question.name, type: question.type)
        query = message
        if let problem = send(message.encoded(), to: servers[current]) {
            problems[current] = problem
            // On the next turn, so a run of failing sends never recurses.
            return setTimer(at: MonotonicClock.now()) { [self] in nextTry() }
        }
        let server = current
        setTimer(at: MonotonicClock.now() + timeout) { [self] in
            problems[server] = "timed out after \(DurationText.format(timeout))"
            nextTry()
        }
    }

    /// Opens, connects and sends; returns what failed, or nil once the socket is watched for the reply.
    private func send(_ bytes: [UInt8], to server: Nameserver) -> String? {
        fd = socket(
            server.address.family, Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "socket: \(SystemError.describe(errno))" }
        resources.sockets += 1
        guard server.address.withSockaddr({ posixConnect(fd, $0, $1) }) == 0 else {
            return SystemError.describe(errno)
        }
        let sent = bytes.withUnsafeBytes { posixSend(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { return sent < 0 ? SystemError.describe(errno) : "short send" }
        do {
            watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in readable() }
        } catch {
            return error.description
        }
        return nil
    }

    private func readable() {
        var buffer = [UInt8](repeating: 0, count: DNSExchange.receiveBufferSize)
        var read = 0
        while fd >= 0 && read < DNSExchange.datagramsPerWake {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                read += 1
                handle(Array(buffer[..<count]))
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else {
                // ECONNREFUSED: the ICMP port-unreachable of a host that runs no nameserver.
                problems[current] = SystemError.describe(errno)
                cancelTimer()
                return nextTry()
            }
        }
    }

    private func handle(_ datagram: [UInt8]) {
        guard let query, let reply = try? DNSMessage(decoding: datagram), reply.answers(query) else { return }
        let server = servers[current].label
        switch reply.responseCode {
        case .nameError:
            finish(.nameError(server: server))
        case .noError where reply.isTruncated:
            finish(.truncated(server: server))
        case .noError:
            finish(.answered(reply.addresses(of: question.type, for: question.name), server: server))
        default:
            lastServerError = (reply.responseCode, server)
            problems[current] = reply.responseCode.description
            cancelTimer()
            nextTry()
        }
    }

    private func setTimer(at deadline: Instant, _ action: @escaping () -> Void) {
        cancelTimer()
        timerToken += 1
        let token = timerToken
        resources.timers += 1
        timer = loop.schedule(at: deadline) { [self] in
            guard token == timerToken, timer != nil else { return }
            timer = nil
            resources.timers -= 1
            action()
        }
    }

    private func cancelTimer() {
        guard let timer else { return }
        loop.cancel(timer)
        self.timer = nil
        resources.timers -= 1
    }

    private func closeSocket() {
        if let watch { loop.unwatch(watch) }
        watch = nil
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        resources.sockets -= 1
    }
}
