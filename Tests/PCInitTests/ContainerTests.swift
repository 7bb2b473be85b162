import Foundation
import Glibc
import Testing

/// The real Dockerfile, built and run with podman: pcinit as a container's PID 1, healthy through
/// `HEALTHCHECK ["/pcinit","--check"]` and still 90 s later, stopped by `podman stop` with exit code 0, logs
/// prefixed.
/// The `build` stage is replaced by a folder holding the static binary and busybox, so nothing is pulled.
@Suite("Container (podman)", .serialized)
struct ContainerTests {
    static let podman = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
    static let runLimits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The static binary: PCINIT_RELEASE_BINARY (set by .ci/run), else .build/release/pcinit if it is static.
    static func staticBinary() async -> String? {
        let candidates = [
            ProcessInfo.processInfo.environment["PCINIT_RELEASE_BINARY"],
            "\(packageRoot)/.build/release/pcinit",
        ].compactMap { $0 }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if (try? await shell(["file", "-L", path]))?.stdout.contains("statically linked") == true { return path }
        }
        return nil
    }

    /// Why the test cannot run here, found once (podman and file are slow: off the async threads).
    private static let skipReason = Task<String?, Never> {
        let reason: String?
        if getuid() != 0 {
            reason = "podman tests need root"
        } else if (try? await shell(podman + ["--version"]))?.status != 0 {
            reason = "podman is not installed (apt-get install podman runc)"
        } else if !FileManager.default.isExecutableFile(atPath: "/bin/busybox") {
            reason = "busybox-static is not installed (/bin/busybox)"
        } else if await staticBinary() == nil {
            reason = "no static pcinit: run `swift build -c release` first (.ci/run does)"
        } else {
            reason = nil
        }
        if let reason { print("Skipping container tests: \(reason)") }
        return reason
    }

    static func enabled() async -> Bool { await skipReason.value == nil }

    @Test(.enabled { await enabled() }, .timeLimit(.minutes(3)))
    func dockerfileImageRunsPCInitAsPID1HealthyAndStopsCleanly() async throws {
        let binary = try #require(await Self.staticBinary())
        let tag = "pcinit-ci-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        let context = FileManager.default.temporaryDirectory.appendingPathComponent(tag).path
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: binary, toPath: "\(context)/pcinit")
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(context)/busybox")
        // Cleanup in every path, awaited (a defer cannot await, and podman takes seconds).
        do {
            try await buildRunAndStop(tag: tag, context: context)
        } catch {
            await Self.remove(tag: tag, context: context)
            throw error
        }
        await Self.remove(tag: tag, context: context)
    }

    private static func remove(tag: String, context: String) async {
        _ = try? await shell(podman + ["rm", "-f", tag])
        _ = try? await shell(podman + ["rmi", "-f", "localhost/\(tag)"])
        try? FileManager.default.removeItem(atPath: context)
    }

    private func buildRunAndStop(tag: String, context: String) async throws {
        let build = try await Self.shell(
            Self.podman + [
                "build", "--format", "docker", "--pull=never", "--build-context", "build=\(context)", "-t", tag,
                "-f", "\(Self.packageRoot)/Dockerfile", Self.packageRoot,
            ])
        try #require(build.status == 0, "podman build failed:\n\(build.stdout)\n\(build.stderr)")

        let run = try await Self.shell(Self.podman + ["run", "-d", "--name", tag] + Self.runLimits + [tag])
        try #require(run.status == 0, "podman run failed:\n\(run.stderr)")
        let runAt = ContinuousClock.now

        // The HEALTHCHECK (pcinit --check inside the container) passes once every service is ready.
        var healthy = false
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await Self.shell(Self.podman + ["healthcheck", "run", tag]).status == 0 {
                healthy = true
                break
            }
            try await Task.sleep(for: .milliseconds(500))  // the pace of a healthcheck retry, not a race
        }
        let logsBeforeStop = try await Self.shell(Self.podman + ["logs", tag])
        #expect(healthy, "never healthy; logs:\n\(logsBeforeStop.stdout)\(logsBeforeStop.stderr)")

        // pcinit is PID 1 of the container.
        let comm = try await Self.shell(Self.podman + ["exec", tag, "/bin/cat", "/proc/1/cmdline"])
        #expect(comm.stdout.hasPrefix("/pcinit"), "PID 1 is \(comm.stdout)")

        // `pcinit status` over the control socket, from inside the container.
        let status = try await Self.shell(Self.podman + ["exec", tag, "/pcinit", "status"])
        #expect(status.status == 0 && status.stdout.contains("database"), "\(status.stdout)\(status.stderr)")

        // Still healthy 90 s after start: the quickstart's flaky worker shows its backoff, then recovers (a
        // worker that gives up after its restarts would leave /readyz at 503 from about 55 s on).
        try await Task.sleep(until: runAt + .seconds(90))  // the duration under test, not a race
        let later = try await Self.shell(Self.podman + ["healthcheck", "run", tag])
        let statusLater = try await Self.shell(Self.podman + ["exec", tag, "/pcinit", "status"])
        #expect(later.status == 0, "unhealthy 90 s after start:\n\(statusLater.stdout)\(statusLater.stderr)")
        let worker = statusLater.stdout.split(separator: "\n").first { $0.hasPrefix("worker ") }
        #expect(worker?.contains("running") == true, "\(statusLater.stdout)")

        // podman stop = SIGTERM, then SIGKILL after 10 s: pcinit must be done well before.
        let started = Date()
        let stop = try await Self.shell(Self.podman + ["stop", "-t", "10", tag])
        let stopSeconds = Date().timeIntervalSince(started)
        #expect(stop.status == 0)
        #expect(stopSeconds < 5, "stop took \(stopSeconds) s")
        let exitCode = try await Self.shell(Self.podman + ["inspect", "--format", "{{.State.ExitCode}}", tag])
        #expect(exitCode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "exit code \(exitCode.stdout)")

        let logs = try await Self.shell(Self.podman + ["logs", tag])
        let text = logs.stdout + logs.stderr
        #expect(text.contains("database | database system is ready to accept connections"), "\(text)")
        #expect(text.contains("app      | "), "\(text)")
        #expect(text.contains("pcinit   | database stopped (exited 0)"), "\(text)")
        #expect(text.contains("pcinit   | worker exited 1, restarting in 2s"), "backoff: \(text)")
    }

    struct ShellResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a command to completion on a thread of its own (podman takes seconds: never on an async thread).
    static func shell(_ arguments: [String]) async throws -> ShellResult {
        try await onDedicatedThread { try blockingShell(arguments) }
    }

    /// Runs a command to completion and waits for that pid only. Output goes through files, not pipes:
    /// `podman run -d` leaves conmon holding the stdout it was given, so a pipe would never reach EOF, and
    /// conmon must outlive the command, so nothing here kills what the command leaves behind.
    static func blockingShell(_ arguments: [String]) throws -> ShellResult {
        let directory = FileManager.default.temporaryDirectory
        let outPath = directory.appendingPathComponent("pcinit-shell-\(UUID().uuidString).out").path
        let errPath = directory.appendingPathComponent("pcinit-shell-\(UUID().uuidString).err").path
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let err = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard err == 0 else {
            return ShellResult(
                status: 127, stdout: "", stderr: "cannot start \(arguments[0]): \(String(cString: strerror(err)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ShellResult(
            status: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f),
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        )
    }
}
