import Foundation
import Glibc
import Testing

/// What a platform and an operator need from a running pcinit stays reachable: out of descriptors, at the
/// control socket's connection cap, and when a second pcinit is started by mistake.
@Suite("Operator access", .timeLimit(.minutes(1)))
struct OperatorAccessTests {
    static func socketPath(_ project: ServiceProject) -> String { project.directory.path("pcinit.sock") }

    @Test(.needsTools("prlimit"))
    func outOfDescriptorsTheHealthEndpointAndControlSocketStillAnswer() async throws {
        // 40 services with two pipes each cannot fit in 64 descriptors: some fail to start.
        let services = (1...40).map { "  s\($0):\n    command: [\"sleep\", \"\(uniqueSleepSeconds())\"]" }
        let project = try ServiceProject("fdexhaust", "processes:\n" + services.joined(separator: "\n") + "\n")
        let port = freeTCPPort()
        let pcinitArguments = project.arguments([
            "--socket", Self.socketPath(project), "--health-addr", "127.0.0.1:\(port)",
        ])
        // prlimit execs pcinit: the same pid.
        let pcinit = try Subprocess(
            ["prlimit", "--nofile=64:64", Paths.pcinit] + pcinitArguments, workingDirectory: project.path)
        defer {
            pcinit.killTree()
            project.killLeftovers()
        }
        #expect(
            await Poll.until(timeout: .seconds(10)) { pcinit.stderr.contains("Too many open files") },
            "\(pcinit.stderr)")
        // Every descriptor is taken now, and stays taken: the services that started keep their pipes.
        for attempt in 1...5 {
            let live = httpGet(port: port, path: "/livez")
            #expect(live?.hasPrefix("HTTP/1.1 200") == true, "attempt \(attempt): \(live ?? "no answer")")
        }
        let ready = httpGet(port: port, path: "/readyz")
        #expect(ready?.hasPrefix("HTTP/1.1 503") == true, "services failed to start: \(ready ?? "no answer")")
        for _ in 1...3 {
            let status = try await runPCInit(["--socket", Self.socketPath(project), "status"])
            #expect(status.status == 0, "\(status)")
            #expect(status.stdout.contains("s1 "), "\(status)")
        }
        pcinit.send(SIGTERM)
        let result = try await pcinit.wait(timeout: .seconds(20))
        #expect(result.status != 2, "\(result)")
    }

    @Test(.needsTools("prlimit"))
    func pcinitRaisesItsOwnDescriptorLimitButChildrenKeepTheOneItWasGiven() async throws {
        let project = try ServiceProject(
            "nofile",
            """
            processes:
              probe:
                command: 'ulimit -n > {dir}/soft; ulimit -Hn > {dir}/hard; \(Snippet.idle)'
            """)
        let pcinitArguments = project.arguments(["--socket", Self.socketPath(project), "--health-addr", "off"])
        let pcinit = try Subprocess(
            ["prlimit", "--nofile=256:4096", Paths.pcinit] + pcinitArguments, workingDirectory: project.path)
        defer {
            pcinit.killTree()
            project.killLeftovers()
        }
        #expect(await Poll.until { project.read("hard")?.hasSuffix("\n") == true }, "\(pcinit.stderr)")
        #expect(project.read("soft") == "256\n")
        #expect(project.read("hard") == "4096\n")
        let limits = try String(contentsOfFile: "/proc/\(pcinit.pid)/limits", encoding: .utf8)
        // Max open files  SOFT  HARD  files
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") } ?? ""
        #expect(
            openFiles.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2) == ["4096", "4096"])
        pcinit.send(SIGTERM)
        _ = try await pcinit.wait(timeout: .seconds(15))

        // Single-command mode too.
        let single = try await Subprocess.run(
            ["prlimit", "--nofile=256:4096", Paths.pcinit, "sh", "-c", "ulimit -n; ulimit -Hn"])
        #expect(single.status == 0, "\(single)")
        #expect(single.stdout == "256\n4096\n", "\(single)")
    }

    @Test func aSecondPCInitOnALiveSocketRefusesToStartItsServices() async throws {
        let project = try ServiceProject(
            "twice",
            """
            processes:
              app:
                command: 'echo started >> {dir}/starts; \(Snippet.idle)'
            """)
        let options = ["--socket", Self.socketPath(project), "--health-addr", "off"]
        let first = try await ServiceRun.start(project, options)
        defer { first.stop() }
        #expect(await first.waitForLines("starts", count: 1), "\(first.transcript)")
        let second = try await runPCInit(project.arguments(options), workingDirectory: project.path)
        #expect(second.status == 2, "\(second)")
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(second.stderr)")
        #expect(second.stderr.contains("another pcinit (pid \(first.pcinit.pid))"), "\(second.stderr)")
        #expect(second.stderr.contains(Self.socketPath(project)), "\(second.stderr)")
        #expect(second.stderr.contains("pcinit status"), "\(second.stderr)")
        #expect(project.lines("starts").count == 1, "no second copy of the service ran")
        // The first one is unharmed and still owns its socket.
        let status = try await runPCInit(["--socket", Self.socketPath(project), "status"])
        #expect(status.status == 0 && status.stdout.contains("app"), "\(status)")
        first.send(SIGTERM)
        #expect(try await first.wait(timeout: .seconds(15)).status == 0)
    }

    @Test func aStaleSocketFileIsStillReplaced() async throws {
        let project = try ServiceProject(
            "stale",
            """
            processes:
              app:
                command: 'touch {dir}/up; \(Snippet.idle)'
            """)
        // A socket file nobody listens on, as a crashed pcinit leaves it.
        let path = Self.socketPath(project)
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(fd)
        #expect(bound == 0)
        let run = try await ServiceRun.start(project, ["--socket", path, "--health-addr", "off"])
        defer { run.stop() }
        #expect(await run.waitForFile("up"), "\(run.transcript)")
        let status = try await runPCInit(["--socket", path, "status"])
        #expect(status.status == 0, "\(status)")
        run.send(SIGTERM)
        #expect(try await run.wait(timeout: .seconds(15)).status == 0)
    }
}
