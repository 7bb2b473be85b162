import CInit
import InitCore

/// Why a host name gave no address: the probe's detail, such as `cannot resolve db.internal: NXDOMAIN
/// from 10.0.0.2`.
struct ResolveFailure: Error, CustomStringConvertible {
    var description: String
}

/// Turns a probe's host name into addresses without NSS (a static binary has none at run time) and
/// without blocking the loop: /etc/hosts first, then answers cached for their TTL, then DNS over UDP to
/// the nameservers of /etc/resolv.conf with its search list, A and AAAA asked at once, IPv4 preferred.
/// Numeric addresses and `localhost` never get here (`SocketAddress.literal`).
final class HostResolver {
    struct LookupID: Hashable { fileprivate let value: UInt64 }

    enum Start {
        /// Known at once (/etc/hosts, the cache, or an invalid name): no callback follows.
        case finished(Result<[IPAddress], ResolveFailure>)
        /// The completion runs on a later loop turn, unless the lookup is cancelled first.
        case pending(LookupID)
    }

    private final class Lookup {
        let host: String
        var state: DNSLookupState
        /// The running queries for the current candidate name: A and AAAA.
        var exchanges: [DNSExchange] = []
        var candidate = 0
        let configuration: ResolverConfiguration
        let completion: (Result<[IPAddress], ResolveFailure>) -> Void

        init(
            host: String,
            state: DNSLookupState,
            configuration: ResolverConfiguration,
            completion: @escaping (Result<[IPAddress], ResolveFailure>) -> Void
        ) {
            self.host = host
            self.state = state
            self.configuration = configuration
            self.completion = completion
        }

        func cancelExchanges() {
            for exchange in exchanges { exchange.cancel() }
            exchanges = []
        }
    }

    private let loop: EventLoop
    let settings: ResolverSettings
    let resources = ResolverResources()
    private var lookups: [UInt64: Lookup] = [:]
    private var nextID: UInt64 = 1
    private var cache: [String: (addresses: [IPAddress], expires: Instant)] = [:]

    init(loop: EventLoop, settings: ResolverSettings = .init()) {
        self.loop = loop
        self.settings = settings
    }

    /// Lookups in flight.
    var activeCount: Int { lookups.count }

    /// Resolves `host` (a name, not a numeric address). `completion` is called at most once, on a later
    /// loop turn, and never after `cancel`; results known at once come back as `.finished` instead.
    func lookUp(_ host: String, completion: @escaping (Result<[IPAddress], ResolveFailure>) -> Void) -> Start {
        let key = host.lowercased()
        let hosts = HostsFile(parsing: ResolverFiles.read(settings.hostsPath, limit: settings.maxFileBytes) ?? "")
        let listed = hosts.addresses(of: key)
        if !listed.isEmpty { return .finished(.success(listed.preferringIPv4)) }
        if let cached = cache[key] {
            if MonotonicClock.now() < cached.expires { return .finished(.success(cached.addresses)) }
            cache[key] = nil
        }
        let configuration = ResolverConfiguration(
            parsing: ResolverFiles.read(settings.resolvConfPath, limit: settings.maxFileBytes) ?? "")
        let state = DNSLookupState(host: host, candidates: configuration.candidates(for: host))
        guard case .query(let first) = state.start() else {
            return .finished(.failure(ResolveFailure(description: "cannot resolve \(host): invalid host name")))
        }
        guard lookups.count < settings.maxLookups else {
            let detail = "cannot resolve \(host): \(settings.maxLookups) lookups already in flight"
            return .finished(.failure(ResolveFailure(description: detail)))
        }
        let id = nextID
        nextID += 1
        let lookup = Lookup(host: key, state: state, configuration: configuration, completion: completion)
        lookups[id] = lookup
        ask(first, for: id, lookup)
        return .pending(LookupID(value: id))
    }

    /// Closes the lookup's sockets and drops its timers; its completion is never called. A stale id is a no-op.
    func cancel(_ id: LookupID) {
        lookups.removeValue(forKey: id.value)?.cancelExchanges()
    }

    /// Starts A and AAAA queries for one candidate name; their outcomes come back through the lookup table,
    /// so an outcome for a lookup that is gone, or for an earlier candidate, is dropped.
    private func ask(_ name: DNSName, for id: UInt64, _ lookup: Lookup) {
        lookup.cancelExchanges()
        lookup.candidate += 1
        let candidate = lookup.candidate
        let servers = lookup.configuration.nameservers.map { Nameserver($0, port: settings.nameserverPort) }
        for type in [DNSRecordType.a, .aaaa] {
            let exchange = DNSExchange(
                loop: loop,
                question: DNSQuestion(name: name, type: type),
                servers: servers,
                timeout: .seconds(lookup.configuration.timeoutSeconds),
                attempts: lookup.configuration.attempts,
                resources: resources
            ) { [self] outcome in
                record(outcome, of: type, for: id, candidate: candidate)
            }
            lookup.exchanges.append(exchange)
        }
        for exchange in lookup.exchanges { exchange.start() }
    }

    private func record(_ outcome: DNSQueryOutcome, of type: DNSRecordType, for id: UInt64, candidate: Int) {
        guard let lookup = lookups[id], lookup.candidate == candidate,
            let step = lookup.state.record(outcome, for: type)
        else { return }
        switch step {
        case .query(let name):
            ask(name, for: id, lookup)
        case .succeeded(let addresses, let ttl):
            remember(lookup.host, addresses.preferringIPv4, ttl: ttl)
            finish(id, lookup, .success(addresses.preferringIPv4))
        case .failed(let detail):
            finish(id, lookup, .failure(ResolveFailure(description: detail)))
        }
    }

    private func finish(_ id: UInt64, _ lookup: Lookup, _ result: Result<[IPAddress], ResolveFailure>) {
        lookups[id] = nil
        lookup.cancelExchanges()
        lookup.completion(result)
    }

    /// Keeps an answer for its TTL (capped). When full, expired entries go first, then the one that
    /// would expire soonest.
    private func remember(_ host: String, _ addresses: [IPAddress], ttl: UInt32) {
        guard ttl > 0, settings.cacheCapacity > 0 else { return }
        let now = MonotonicClock.now()
        if cache[host] == nil && cache.count >= settings.cacheCapacity {
            cache = cache.filter { now < $0.value.expires }
            if cache.count >= settings.cacheCapacity,
                let soonest = cache.min(by: { $0.value.expires < $1.value.expires })
            {
                cache[soonest.key] = nil
            }
        }
        cache[host] = (addresses, now + .seconds(Int64(min(ttl, settings.maxCacheSeconds))))
    }
}
