import Foundation
import Glibc
import Testing

/// examples/tenant-stack for real, as it is deployed: Litestream restores and replicates the SQLite database,
/// PocketBase serves it, Caddy is the only public port, NATS an optional loopback sidecar. Each test boots the
/// example's own files (only the variables differ: temp directories, free loopback ports), writes a record
/// through Caddy, stops within 100 ms of the write, wipes the data directory, boots again and finds the record:
/// the restore one-shot brought it back from the replica, so Litestream pushed the last write on SIGTERM.
@Suite("Services: tenant stack", .onDedicatedThread, .needsStackTools, .timeLimit(.minutes(2)))
struct TenantStackTests {
    /// On Fly pcinit is not PID 1: Fly's init is, and pcinit is its child (a subreaper).
    @Test func writeSurvivesStopAndWipeAsOnFly() async throws {
        try await writeStopWipeRestore(mode: .subreaper, services: ["caddy"])
    }

    /// As a container's PID 1, with the NATS sidecar named (it is disabled unless named) when it is installed.
    @Test(.needsPIDNamespace) func writeSurvivesStopAndWipeAsPID1() async throws {
        let withNATS = StackTools.path("nats-server") != nil
        if !withNATS { print("TenantStackTests: nats-server not installed; the PID 1 run goes without NATS") }
        try await writeStopWipeRestore(mode: .pid1, services: withNATS ? ["caddy", "nats"] : ["caddy"])
    }

    /// The replica is a local directory unless LITESTREAM_REPLICA_URL says otherwise (an S3 URL, as README's
    /// Fly section writes it). `litestream databases` reads the config without contacting the replica.
    @Test func replicaIsALocalDirectoryUnlessAnS3URLIsGiven() async throws {
        let litestream = try #require(StackTools.path("litestream"))
        let stack = try TenantStack()
        let config = try await runPCInit(["config", "-f", TenantStack.configFile], environment: stack.environment)
        #expect(config.status == 0, "\(config)")
        #expect(config.stdout.contains("\"LITESTREAM_REPLICA_URL\": \"file://\(stack.replicaDirectory)\""), "\(config)")

        let s3 = "s3://tenant-bucket/pocketbase?endpoint=https://fly.storage.tigris.dev&region=auto"
        for (url, type) in [("file://\(stack.replicaDirectory)", "file"), (s3, "s3")] {
            let environment = Environment.clean.with([
                "LITESTREAM_CONFIG": "\(TenantStack.exampleDirectory)/litestream.yml",
                "DATA_DIR": stack.dataDirectory, "LITESTREAM_REPLICA_URL": url,
            ])
            let listed = try await Subprocess.run([litestream, "databases"], environment: environment)
            #expect(listed.status == 0, "\(listed)")
            let row = listed.stdout.split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) }
            #expect(row == ["\(stack.dataDirectory)/pb_data/data.db", type], "\(listed)")
        }
    }

    @Test(.disabled("needs pcinit reload (issue: Operate a running pcinit)"))
    func envFileChangeAppliesOnReloadTODO() async throws {
        // TODO(issue "Operate a running pcinit"): boot the stack with SECRETS_FILE, change a value in that
        // env_file, run `pcinit reload`; the services that read the file restart in dependency order with the
        // new value, the others keep their pids, and the data written before is still there.
        Issue.record("not written: waits for `pcinit reload`")
    }

    private func writeStopWipeRestore(mode: InitMode, services: [String]) async throws {
        let stack = try TenantStack()
        let email = "admin-\(UInt32.random(in: 0...UInt32.max))@example.com"
        let password = "pw-\(UUID().uuidString)"
        let text = "note \(UUID().uuidString)"

        // First boot: empty data directory, empty replica.
        let first = try await stack.start(mode: mode, services: services)
        defer { first.killTree() }
        try await stack.waitUntilReady(first)
        let health = HTTPExchange.send(port: stack.port, path: "/api/health")
        #expect(
            health?.status == 200 && health?.body.contains("API is healthy") == true,
            "via Caddy: \(String(describing: health))")
        #expect(
            ProcFS.pids(withEnvironmentEntry: "PB_ENCRYPTION_KEY=\(stack.encryptionKey)").contains {
                ProcFS.commandLine($0)?.contains("serve") == true
            }, "PocketBase did not get PB_ENCRYPTION_KEY from the env_file")
        if services.contains("nats") {
            #expect(portIsOpen(stack.natsPort), "NATS is not listening on 127.0.0.1:\(stack.natsPort)")
        }

        // A superuser with the CLI, as an operator would (`fly ssh console`: the secrets are in its environment;
        // the settings are encrypted, so the CLI needs the key too), then a collection and a record through
        // Caddy's public port.
        let pocketbase = try #require(StackTools.path("pocketbase"))
        let upsert = try await Subprocess.run(
            [
                pocketbase, "superuser", "upsert", email, password, "--dir=\(stack.dataDirectory)/pb_data",
                "--encryptionEnv=PB_ENCRYPTION_KEY",
            ], environment: .clean.with(["PB_ENCRYPTION_KEY": stack.encryptionKey]))
        try #require(upsert.status == 0, "\(upsert)")
        let token = try #require(stack.authenticate(email: email, password: password), "no superuser token")
        let collection = HTTPExchange.send(
            port: stack.port, method: "POST", path: "/api/collections", headers: ["Authorization": token],
            json: ["name": "notes", "type": "base", "fields": [["name": "text", "type": "text"]]])
        try #require(collection?.status == 200, "create collection: \(String(describing: collection))")
        let created = HTTPExchange.send(
            port: stack.port, method: "POST", path: "/api/collections/notes/records",
            headers: ["Authorization": token], json: ["text": text])
        let written = ContinuousClock.now
        let recordID = try #require(created?.json?["id"] as? String, "create record: \(String(describing: created))")

        // SIGTERM right after the write: Litestream's periodic sync (every 1 s) has most likely not run yet.
        let sent = first.send(SIGTERM)
        #expect(sent - written < .milliseconds(100), "SIGTERM went out \(sent - written) after the write")
        let stopped = try await first.wait(timeout: .seconds(40))
        #expect(stopped.status == 0, "\(stopped)")
        // The stack's timeouts add up to 21 s; a clean stop takes a few seconds.
        #expect(stopped.ended(after: sent) < .seconds(20), "stop took \(stopped.ended(after: sent))")
        let messages = ServiceRun.messages(in: stopped.stderr)
        for name in ["caddy", "pocketbase", "litestream"] + services.filter({ $0 == "nats" }) {
            #expect(messages.contains("\(name) stopped (exited 0)"), "\(name):\n\(stopped.stderr)")
        }
        let order = ["caddy stopped", "pocketbase stopping", "pocketbase stopped", "litestream stopping"]
            .map { position(of: $0, in: messages) ?? -1 }
        #expect(order == order.sorted() && !order.contains(-1), "stop order: \(messages)")
        let left = ProcFS.pids(withEnvironmentEntry: first.process.tag).filter(ProcFS.isAlive)
        #expect(left.isEmpty, "left running: \(left.map { ProcFS.commandLine($0) ?? [] })")

        // The volume is lost; the replica is not.
        try FileManager.default.removeItem(atPath: stack.dataDirectory)
        try FileManager.default.createDirectory(atPath: stack.dataDirectory, withIntermediateDirectories: true)

        let second = try await stack.start(mode: mode, services: services)
        defer { second.killTree() }
        try await stack.waitUntilReady(second)
        let restoreLog = second.process.stdout.split(separator: "\n").filter { $0.hasPrefix("restore") }
        #expect(!restoreLog.contains { $0.contains("no matching backups") }, "restore found nothing:\n\(restoreLog)")
        #expect(FileManager.default.fileExists(atPath: "\(stack.dataDirectory)/pb_data/data.db"))
        let newToken = try #require(
            stack.authenticate(email: email, password: password), "the superuser was not restored")
        let record = HTTPExchange.send(
            port: stack.port, path: "/api/collections/notes/records/\(recordID)", headers: ["Authorization": newToken])
        #expect(record?.status == 200 && record?.json?["text"] as? String == text, "\(String(describing: record))")

        let sentAgain = second.send(SIGTERM)
        let stoppedAgain = try await second.wait(timeout: .seconds(40))
        #expect(stoppedAgain.status == 0, "\(stoppedAgain)")
        #expect(stoppedAgain.ended(after: sentAgain) < .seconds(20))
    }
}

/// One copy of the tenant stack's state (data directory, replica, secrets) and the variables that point the
/// example at it: free loopback ports, a private control socket (the harness's) and health address.
final class TenantStack: @unchecked Sendable {
    static let exampleDirectory = "\(repositoryRoot)/examples/tenant-stack"
    static let configFile = "\(exampleDirectory)/process-compose.yml"

    let root: TemporaryDirectory
    let port = freeTCPPort()
    let pocketBasePort = freeTCPPort()
    let natsPort = freeTCPPort()
    let healthPort = freeTCPPort()
    /// PocketBase's settings key (32 characters), handed over in the env_file as a secret would be.
    let encryptionKey = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(32))

    var dataDirectory: String { root.path("data") }
    var replicaDirectory: String { root.path("replica") }

    init() throws {
        root = try TemporaryDirectory(prefix: "pcinit-tenant")
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        try root.write("secrets.env", "PB_ENCRYPTION_KEY=\(encryptionKey)\n", mode: 0o600)
    }

    var environment: Environment {
        .clean.with([
            "PATH": StackTools.servicePATH,
            "DATA_DIR": dataDirectory,
            "REPLICA_DIR": replicaDirectory,
            "CONFIG_DIR": Self.exampleDirectory,
            "SECRETS_FILE": root.path("secrets.env"),
            "PORT": "\(port)",
            "HTTP_BIND": "127.0.0.1",
            "PB_PORT": "\(pocketBasePort)",
            "NATS_PORT": "\(natsPort)",
            "PCINIT_HEALTH_ADDR": "127.0.0.1:\(healthPort)",
        ])
    }

    func start(mode: InitMode, services: [String]) async throws -> RunningInit {
        try await RunningInit.start(
            ["-f", Self.configFile] + services, mode: mode, environment: environment, workingDirectory: root.path)
    }

    /// Waits for pcinit's `/readyz` to answer 200 (every named service and its dependencies ready).
    func waitUntilReady(_ pcinit: RunningInit) async throws {
        let ready = await Poll.until(timeout: .seconds(45), every: .milliseconds(50)) {
            !pcinit.process.isRunning || httpGet(port: healthPort, path: "/readyz")?.hasPrefix("HTTP/1.1 200") == true
        }
        try #require(
            ready && pcinit.process.isRunning,
            "never ready:\n--- stdout ---\n\(pcinit.process.stdout)--- stderr ---\n\(pcinit.process.stderr)")
    }

    /// A superuser's token from PocketBase's API, through Caddy.
    func authenticate(email: String, password: String) -> String? {
        HTTPExchange.send(
            port: port, method: "POST", path: "/api/collections/_superusers/auth-with-password",
            json: ["identity": email, "password": password]
        )?.json?["token"] as? String
    }
}
