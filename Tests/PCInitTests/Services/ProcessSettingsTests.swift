import Foundation
import Glibc
import Testing

extension Trait where Self == ConditionTrait {
    /// For tests that change users: skipped, with the reason printed, when the tests do not run as root.
    static var needsRoot: Self {
        let isRoot = geteuid() == 0
        if !isRoot {
            FileHandle.standardError.write(Data("PCInitTests: skipping a test: it needs root to change users\n".utf8))
        }
        return .enabled(if: isRoot, "needs root to run services as another user")
    }
}

/// `user`, `umask`, `rlimits`, `no_new_privileges`: what the service, its probes and its shutdown command see.
@Suite("Services: user, umask, limits", .timeLimit(.minutes(1)))
struct ProcessSettingsTests {
    /// The home directory /etc/passwd gives `name`.
    static func home(of name: String) -> String? {
        let passwd = (try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) ?? ""
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 6 && fields[0] == name { return String(fields[5]) }
        }
        return nil
    }

    /// A project whose directory others may enter, with `shared/` that anyone may write.
    static func project(_ label: String, _ yaml: String) throws -> ServiceProject {
        let project = try ServiceProject(label, yaml)
        chmod(project.path, 0o755)
        mkdir(project.path + "/shared", 0o777)
        chmod(project.path + "/shared", 0o777)
        return project
    }

    @Test(.needsRoot) func nobodyRunsAsNobodyWithItsHomeAndNoRootGroups() async throws {
        let home = try #require(Self.home(of: "nobody"), "no nobody in /etc/passwd")
        let project = try Self.project(
            "user-nobody",
            """
            processes:
              web:
                command: 'echo "$(id -u) $(id -g) [$(id -G)] $HOME $USER $LOGNAME"'
                user: nobody
            """)
        let result = try await runPCInit(
            project.arguments(), environment: .clean.with(["HOME": "/root", "USER": "root"]),
            workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("web    | 65534 65534 [65534] \(home) nobody nobody"), "\(result)")
    }

    @Test(.needsRoot) func numericUserAndGroupNeedNoPasswdEntry() async throws {
        let project = try Self.project(
            "user-numeric",
            """
            processes:
              web:
                command: 'echo "$(id -u) $(id -g) [$(id -G)] HOME=$HOME"'
                user: "1234:2345"
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.contains("web    | 1234 2345 [2345] HOME=/"), "\(result)")
    }

    @Test func umaskAndLimitsAreWhatTheServiceSees() async throws {
        let project = try Self.project(
            "umask-limits",
            """
            processes:
              web:
                command: 'umask; ulimit -n; ulimit -c; touch {dir}/shared/made; stat -c %a {dir}/shared/made; grep NoNewPrivs /proc/self/status'
                umask: "0027"
                rlimits:
                  nofile: 1234
                  core: {soft: 0, hard: 0}
                no_new_privileges: true
            """)
        let result = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(result.status == 0, "\(result)")
        let lines = result.stdoutLines.filter { $0.hasPrefix("web    | ") }.map { $0.dropFirst("web    | ".count) }
        #expect(lines == ["0027", "1234", "0", "640", "NoNewPrivs:\t1"], "\(result)")
    }

    @Test func anUnknownUserFailsConfigWithItsLine() async throws {
        let project = try Self.project(
            "user-unknown",
            """
            processes:
              web:
                command: 'true'
                user: no-such-user-pcinit
            """)
        let result = try await runPCInit(["config"] + project.arguments(), workingDirectory: project.path)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(
            result.stderrLines.first
                == "pcinit | \(project.configPath):4:11: error: processes.web.user: unknown user 'no-such-user-pcinit' (not in /etc/passwd)",
            "\(result)")
        // Running it fails the same way, before anything starts.
        let run = try await runPCInit(project.arguments(), workingDirectory: project.path)
        #expect(run.status == 2, "\(run)")
    }

    @Test(.needsRoot) func probesAndTheShutdownCommandRunAsTheServicesUser() async throws {
        let project = try Self.project(
            "user-probes",
            """
            processes:
              web:
                command: 'echo $$ > {dir}/shared/pid; exec sleep 1000'
                user: nobody
                umask: "0077"
                readiness_probe:
                  exec: {command: 'echo "$(id -u):$(id -g) $(umask)" > {dir}/shared/probe'}
                  period_seconds: 1
                shutdown:
                  command: 'echo "$(id -u):$(id -g) $(umask)" > {dir}/shared/shutdown; kill $(cat {dir}/shared/pid)'
            """)
        let run = try await ServiceRun.start(project)
        defer { run.stop() }
        #expect(await run.waitForMessage("web ready") != nil, "\(run.transcript)")
        #expect(project.read("shared/probe") == "65534:65534 0077\n")
        run.send(SIGTERM)
        let result = try await run.wait()
        #expect(result.status == 0, "\(run.transcript)")
        #expect(project.read("shared/shutdown") == "65534:65534 0077\n", "\(run.transcript)")
    }
}
