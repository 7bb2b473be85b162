@testable import InitCore

/// Ids are handed out in config order from 0, so a test may write the n-th service's id as n.
extension ServiceID: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(rawValue: value) }
}

/// A service with a recognisable command; `configure` sets what the test is about.
func service(_ name: String, _ configure: (inout ServiceConfig) -> Void = { _ in }) -> ServiceConfig {
    var spec = ServiceConfig(name: name, command: .shell("run-\(name)"))
    configure(&spec)
    return spec
}

func at(_ seconds: Double) -> Instant { Instant.zero + .seconds(fromConfig: seconds) }

func probe(initialDelay: Double = 0, period: Double = 10, success: Int = 1, failure: Int = 3) -> ProbeConfig {
    ProbeConfig(
        check: .tcp(host: "127.0.0.1", port: 8080), initialDelay: .seconds(fromConfig: initialDelay),
        period: .seconds(fromConfig: period), successThreshold: success, failureThreshold: failure
    )
}

/// Drives a supervisor with a hand-moved clock.
struct Harness {
    var supervisor: Supervisor
    var now = Instant.zero

    init(
        _ services: [ServiceConfig], orderedShutdown: Bool = true, selection: [String] = [],
        mainCommand: CommandSpec? = nil, mainDependsOn: [String]? = nil, stopTimeout: Double = 10
    ) {
        supervisor = Supervisor(
            config: ProjectConfig(services: services, orderedShutdown: orderedShutdown), selection: selection,
            mainCommand: mainCommand, mainDependsOn: mainDependsOn, stopTimeout: .seconds(fromConfig: stopTimeout)
        )
    }

    func id(_ name: String) -> ServiceID { supervisor.service(named: name)! }
    func state(_ name: String) -> ServiceState { supervisor.status(id(name)).state }
    func status(_ name: String) -> ServiceStatus { supervisor.status(id(name)) }

    /// The actions as the log shows them: each `.stateChanged` as its log line (`.log`, or nothing when it has
    /// none), without `.serviceAdded` (shell bookkeeping at `.begin`). `everything` returns them as they are.
    @discardableResult
    mutating func send(_ event: SupervisorEvent, at seconds: Double? = nil) -> [SupervisorAction] {
        everything(event, at: seconds).compactMap { action in
            switch action {
            case .serviceAdded: nil
            case .stateChanged(let change): change.logLine.map { .log($0) }
            default: action
            }
        }
    }

    @discardableResult
    mutating func everything(_ event: SupervisorEvent, at seconds: Double? = nil) -> [SupervisorAction] {
        if let seconds { now = at(seconds) }
        return supervisor.handle(event, now: now)
    }

    @discardableResult
    mutating func tick(at seconds: Double) -> [SupervisorAction] { send(.tick, at: seconds) }

    /// `.spawned` for a service by name, with pid = 100 + its id unless given.
    @discardableResult
    mutating func spawned(_ name: String, pid: Int32? = nil, at seconds: Double? = nil) -> [SupervisorAction] {
        send(.spawned(id(name), pid: pid ?? Int32(100 + id(name).rawValue)), at: seconds)
    }

    @discardableResult
    mutating func exited(_ name: String, _ termination: ChildTermination, at seconds: Double? = nil)
        -> [SupervisorAction]
    {
        send(.exited(id(name), termination), at: seconds)
    }

    /// Begin, then answer every spawn with `.spawned` until no spawn is left; returns everything emitted.
    @discardableResult
    mutating func beginAndSpawnAll() -> [SupervisorAction] {
        var all = send(.begin)
        var queue = all
        while !queue.isEmpty {
            let action = queue.removeFirst()
            if case .spawn(let id) = action {
                let more = send(.spawned(id, pid: Int32(100 + id.rawValue)))
                all += more
                queue += more
            }
        }
        return all
    }

    func pid(_ name: String) -> Int32 { Int32(100 + id(name).rawValue) }
}

extension Array where Element == SupervisorAction {
    /// The actions without `.log`, for tests about what is done rather than said.
    var withoutLogs: [SupervisorAction] {
        filter { if case .log = $0 { false } else { true } }
    }
}

/// The token the tests' control requests carry.
let testToken = ControlToken(7)

extension SupervisorEvent {
    static func startService(_ name: String) -> SupervisorEvent { .control(.start([name]), token: testToken) }
    static func stopService(_ name: String) -> SupervisorEvent { .control(.stop([name]), token: testToken) }
    static func restartService(_ name: String) -> SupervisorEvent { .control(.restart([name]), token: testToken) }
}

extension SupervisorAction {
    /// The reply to a one-service request with `testToken`.
    static func reply(_ service: String, _ ok: Bool, _ message: String) -> SupervisorAction {
        .controlReply(testToken, .outcomes([ControlOutcome(service: service, ok: ok, message: message)]))
    }
}
