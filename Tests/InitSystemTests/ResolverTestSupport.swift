import CInit
import Foundation
import Glibc
import InitCore

@testable import InitSystem

/// Runs blocking work (an event loop, waiting for a child) on a thread of its own, so no thread of the
/// Swift-concurrency pool ever blocks. Expectations belong in the async test, on what this returns.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// The Python that runs the DNS fixture: the first of `$PCINIT_TEST_PYTHON` (.ci/run points it at the venv
/// where it installed dnslib), `.build/test-venv/bin/python3` and `/usr/bin/python3` that can import dnslib.
enum DNSLibPython {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let serverScript = packageRoot + "/Tests/Fixtures/dns_server.py"

    /// The interpreter, or why there is none. Starts processes: call it from `onOwnThread`.
    static let interpreter: Result<String, SkipReason> = {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["PCINIT_TEST_PYTHON"], !configured.isEmpty {
            candidates.append(configured)
        }
        candidates += [packageRoot + "/.build/test-venv/bin/python3", "/usr/bin/python3"]
        for python in candidates where FileManager.default.isExecutableFile(atPath: python) {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: python)
            probe.arguments = ["-c", "import dnslib"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return .success(python) }
        }
        return .failure(
            SkipReason(
                "skipped: dnslib is not importable by \(candidates.joined(separator: ", ")) "
                    + "(.ci/run installs it; or set PCINIT_TEST_PYTHON)"))
    }()
}

struct SkipReason: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The fixture DNS server (Tests/Fixtures/dns_server.py) on 127.0.0.1, port chosen by the kernel, with
/// the zone given; stopped by `stop()`.
final class TestDNSServer {
    let port: UInt16
    let directory: String
    private let process: TestProcess

    /// `zone`: the fixture's JSON (see the script). Throws `SkipReason` when dnslib is missing.
    init(zone zoneText: String) throws {
        let python = try DNSLibPython.interpreter.get()
        directory = makeTemporaryDirectory("dns")
        let portFile = directory + "/port"
        process = try TestProcess(
            [python, DNSLibPython.serverScript, zoneText, portFile, directory + "/queries"],
            environment: ProcessEnvironment.current())
        // The server writes its port file once it is bound: wait for that marker, not for a guessed time.
        let giveUp = MonotonicClock.now() + .seconds(20)
        var port: UInt16?
        while port == nil && MonotonicClock.now() < giveUp && process.poll() == nil {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { UInt16($0) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            _ = process.terminate()
            throw TestFailure("the DNS fixture did not start")
        }
        self.port = port
    }

    /// `name TYPE` for each query received so far.
    var queries: [String] {
        let text = (try? String(contentsOfFile: directory + "/queries", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func stop() {
        _ = process.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` on its own thread with a fixture DNS server for `zone`; nil (the reason printed) when
/// dnslib is missing.
func withDNSServer<T: Sendable>(zone: String, _ body: @escaping @Sendable (TestDNSServer) throws -> T) async throws
    -> T?
{
    try await onOwnThread {
        let server: TestDNSServer
        do {
            server = try TestDNSServer(zone: zone)
        } catch let skip as SkipReason {
            print(skip)
            return nil
        }
        defer { server.stop() }
        return try body(server)
    }
}

/// A UDP socket bound on `address`:`port` that never reads: a nameserver that never answers.
final class SilentNameserver {
    let fd: Int32

    /// nil if the address cannot be bound here.
    init?(address: String, port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, let bound = SocketAddress(host: address, port: port),
            bound.withSockaddr({ bind(fd, $0, $1) }) == 0
        else {
            if fd >= 0 { close(fd) }
            return nil
        }
    }

    deinit { close(fd) }
}

/// Resolver settings for a test: its own hosts file (none unless given), a resolv.conf with the lines
/// given, and every nameserver asked on `port`.
func resolverSettings(resolvConf: String, hosts: String? = nil, port: UInt16, in directory: String) throws
    -> ResolverSettings
{
    var settings = ResolverSettings()
    settings.resolvConfPath = directory + "/resolv.conf"
    try resolvConf.write(toFile: settings.resolvConfPath, atomically: true, encoding: .utf8)
    settings.hostsPath = directory + "/hosts"
    if let hosts { try hosts.write(toFile: settings.hostsPath, atomically: true, encoding: .utf8) }
    settings.nameserverPort = port
    return settings
}

/// What one lookup did, in plain values that can leave the loop's thread.
struct LookupReport: Sendable {
    /// The addresses, or the failure's text; nil if nothing was reported.
    var result: Result<[String], SkipReason>?
    var answeredAtOnce = false
    var completions = 0
    var elapsed: Duration = .zero
    /// Held by the resolver once the loop stopped.
    var sockets = 0
    var timers = 0
    var active = 0

    var addresses: [String]? { try? result?.get() }
    var failure: String? {
        guard case .failure(let reason) = result else { return nil }
        return reason.description
    }
}

/// Looks `hosts` up one after another on one resolver (so the later ones may hit its cache), each until
/// it is reported or `limit` passed; a completion that comes twice, or late, shows in `completions`.
func lookUp(_ hosts: [String], settings: ResolverSettings, limit: Duration = .seconds(10)) throws -> [LookupReport] {
    let loop = try EventLoop()
    let resolver = HostResolver(loop: loop, settings: settings)
    var reports = [LookupReport](repeating: LookupReport(), count: hosts.count)
    var started = MonotonicClock.now()
    var index = 0

    func record(_ result: Result<[IPAddress], ResolveFailure>, for lookup: Int) {
        reports[lookup].completions += 1
        reports[lookup].elapsed = MonotonicClock.now() - started
        reports[lookup].result = result.map { $0.map(\.description) }.mapError { SkipReason($0.description) }
    }
    func startNext() {
        started = MonotonicClock.now()
        let lookup = index
        if case .finished(let result) = resolver.lookUp(hosts[lookup], completion: { record($0, for: lookup) }) {
            record(result, for: lookup)
            reports[lookup].answeredAtOnce = true
        }
    }
    func snapshot() {
        reports[index].sockets = resolver.resources.sockets
        reports[index].timers = resolver.resources.timers
        reports[index].active = resolver.activeCount
    }
    startNext()
    var giveUp = MonotonicClock.now() + limit
    runLoop(loop, for: limit * hosts.count, settle: .milliseconds(50)) {
        guard reports[index].result != nil || MonotonicClock.now() >= giveUp else { return false }
        snapshot()
        if index == hosts.count - 1 { return true }
        index += 1
        giveUp = MonotonicClock.now() + limit
        startNext()
        return false
    }
    return reports
}
