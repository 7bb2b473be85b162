import InitCore

/// From a probe's host and port to a connected socket: a numeric address or `localhost` at once, a name
/// through the resolver (asynchronously: /etc/hosts, cache, DNS), then a non-blocking connect to the first
/// address (IPv4 preferred). `close()` stops whichever step is in flight, and then `done` is never called.
final class TCPDial {
    private let loop: EventLoop
    private let resolver: HostResolver
    private let host: String
    private let port: Int
    private var lookup: HostResolver.LookupID?
    private(set) var connection: TCPConnection?
    private var done: ((String?) -> Void)?

    init(loop: EventLoop, resolver: HostResolver, host: String, port: Int) {
        self.loop = loop
        self.resolver = resolver
        self.host = host
        self.port = port
    }

    /// What the dial is waiting for while a name is being resolved (for a timeout's detail), else nil.
    var stage: String? { lookup == nil ? nil : "resolving \(host)" }

    /// `done(nil)` once connected (`connection` is then open), `done(reason)` if resolving or connecting
    /// failed. May run before `start` returns when the outcome is known at once.
    func start(_ done: @escaping (String?) -> Void) {
        self.done = done
        guard (1...65535).contains(port) else { return finish("invalid port \(port)") }
        if let address = SocketAddress.literal(host: host, port: port) { return connect(address) }
        switch resolver.lookUp(host, completion: { result in self.resolved(result) }) {
        case .finished(let result): resolved(result)
        case .pending(let id): lookup = id
        }
    }

    private func resolved(_ result: Result<[IPAddress], ResolveFailure>) {
        lookup = nil
        switch result {
        case .failure(let failure): finish(failure.description)
        case .success(let addresses):
            guard let first = addresses.first else { return finish("cannot resolve \(host): no address") }
            connect(SocketAddress(first, port: port))
        }
    }

    private func connect(_ address: SocketAddress) {
        do {
            connection = try TCPConnection(loop: loop, peer: address)
        } catch {
            return finish(error.description)
        }
        connection?.connect { failure in self.finish(failure) }
    }

    private func finish(_ failure: String?) {
        guard let done else { return }
        self.done = nil
        done(failure)
    }

    /// Idempotent: cancels a lookup in flight (its socket and timer go with it) and closes the connection.
    func close() {
        done = nil
        if let lookup { resolver.cancel(lookup) }
        lookup = nil
        connection?.close()
        connection = nil
    }
}
