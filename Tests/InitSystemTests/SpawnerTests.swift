import CInit
import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

/// The child's set-up between clone and exec: what it always did (process group, stdio, fds, signal mask,
/// working directory) and the per-service settings (limits, umask, user and groups, no_new_privs).
@Suite(.onDedicatedThread, .timeLimit(.minutes(1)))
struct SpawnerTests {
    static let isRoot = geteuid() == 0

    /// Runs `script` with `sh -c`, stdout into a pipe; waits for exactly that pid. Returns (exit status, stdout).
    func run(
        _ script: String, signals: InheritedSignals = defaultInheritedSignals(), _ adjust: (inout SpawnRequest) -> Void
    ) throws -> (status: Int32, output: String) {
        try run(arguments: ["/bin/sh", "-c", script], signals: signals, adjust)
    }

    func run(
        arguments: [String], signals: InheritedSignals = defaultInheritedSignals(),
        _ adjust: (inout SpawnRequest) -> Void
    ) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [0, 0]
        try #require(pci_pipe2(&fds, O_CLOEXEC) == 0)
        var request = SpawnRequest(arguments: arguments, environment: ["PATH=/usr/bin:/bin"])
        request.stdoutFD = fds[1]
        request.closeFrom = 3
        adjust(&request)
        let pid: pid_t
        do {
            pid = try Spawner.spawn(request, signals: signals)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        close(fds[1])
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 {
                output += buffer[..<n]
            } else if n < 0 && Glibc.errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && Glibc.errno == EINTR {}
        return (pci_wifexited(status) != 0 ? pci_wexitstatus(status) : -1, String(decoding: output, as: UTF8.self))
    }

    func spawnError(_ adjust: (inout SpawnRequest) -> Void) -> SpawnError? {
        do {
            _ = try run("exit 0", adjust)
            return nil
        } catch let error as SpawnError {
            return error
        } catch {
            return nil
        }
    }

    // MARK: - What every child gets

    @Test func theChildLeadsANewProcessGroupInItsWorkingDirectory() throws {
        let directory = makeTemporaryDirectory("spawn-wd")
        defer { rmdir(directory) }
        let result = try run(#"echo "$$ $(cut -d' ' -f5 /proc/$$/stat)"; pwd -P"#) {
            $0.workingDirectory = directory
        }
        let lines = result.output.split(separator: "\n")
        try #require(lines.count == 2, "\(result)")
        let ids = lines[0].split(separator: " ")
        #expect(ids.count == 2 && ids[0] == ids[1], "pid and process group: \(lines[0])")
        #expect(lines[1] == directory)
    }

    @Test func inheritedDescriptorsAreClosedAndStdioIsMoved() throws {
        let leaky = fcntl(open("/dev/null", O_RDONLY), F_DUPFD, 300)
        try #require(leaky >= 300)
        defer { close(leaky) }
        let result = try run("ls /proc/self/fd") { _ in }
        let fds = result.output.split(separator: "\n").compactMap { Int($0) }
        #expect(!fds.contains(Int(leaky)), "\(fds)")
        #expect(fds.allSatisfy { $0 <= 3 }, "only stdio and ls's own directory fd: \(fds)")
    }

    @Test func theChildStartsWithTheGivenSignalMask() throws {
        var signals = defaultInheritedSignals()
        sigaddset(&signals.mask, SIGUSR2)
        // grep itself, not through dash: dash clears its signal mask when it starts.
        let result = try run(arguments: ["grep", "SigBlk", "/proc/self/status"], signals: signals) { _ in }
        let hex = result.output.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let mask = hex.flatMap { UInt64($0, radix: 16) }
        #expect(mask == 1 << UInt64(SIGUSR2 - 1), "\(result.output)")
    }

    // MARK: - Per-service settings

    @Test func umaskIsSet() throws {
        #expect(try run("umask") { $0.umask = 0o027 }.output == "0027\n")
        #expect(try run("umask") { $0.umask = 0o077 }.output == "0077\n")
    }

    @Test func resourceLimitsAreSetAndNoNewPrivilegesToo() throws {
        let result = try run("ulimit -n; ulimit -c; grep NoNewPrivs /proc/self/status") {
            $0.resourceLimits = [
                pci_rlimit_setting(resource: ResourceLimits.resourceNumber(.nofile), soft: 321, hard: 321),
                pci_rlimit_setting(resource: ResourceLimits.resourceNumber(.core), soft: 0, hard: 0),
            ]
            $0.noNewPrivileges = true
        }
        #expect(result.output == "321\n0\nNoNewPrivs:\t1\n", "\(result)")
        #expect(try run("grep NoNewPrivs /proc/self/status") { _ in }.output == "NoNewPrivs:\t0\n")
    }

    @Test func aServiceLimitReplacesPCInitsDefaultForThatResourceOnly() {
        let nofile = ResourceLimits.resourceNumber(.nofile)
        let core = ResourceLimits.resourceNumber(.core)
        let base = [pci_rlimit_setting(resource: nofile, soft: 1024, hard: 4096)]
        let merged = ResourceLimits.merged(
            base, [pci_rlimit_setting(resource: nofile, soft: 10, hard: 20), .init(resource: core, soft: 0, hard: 0)])
        #expect(merged.map { [$0.resource, Int32($0.soft), Int32($0.hard)] } == [[nofile, 10, 20], [core, 0, 0]])
        let kept = ResourceLimits.merged(base, [pci_rlimit_setting(resource: core, soft: 0, hard: 0)])
        #expect(kept.map(\.resource) == [nofile, core])
    }

    @Test func aRefusedLimitNamesTheResource() throws {
        let nrOpen = try String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8)
        let tooMany = try #require(UInt64(nrOpen.trimmingCharacters(in: .whitespacesAndNewlines))) + 1
        let error = try #require(
            spawnError {
                $0.resourceLimits = [
                    pci_rlimit_setting(resource: ResourceLimits.resourceNumber(.nofile), soft: 8, hard: tooMany)
                ]
            })
        #expect(error.step == .resourceLimit)
        #expect(
            error.description == "/bin/sh: cannot start: setrlimit RLIMIT_NOFILE 8/\(tooMany): Operation not permitted")
    }

    @Test(.enabled(if: isRoot, "needs root to change users")) func theChildRunsAsTheGivenUserAndGroups() throws {
        let result = try run("id -u; id -g; id -G") {
            $0.identity = SpawnIdentity(uid: 65534, gid: 65534, groups: [65534, 4242])
        }
        #expect(result.output == "65534\n65534\n65534 4242\n", "\(result)")
        // No groups at all: root's supplementary groups are dropped.
        let bare = try run("id -G; grep Groups /proc/self/status") {
            $0.identity = SpawnIdentity(uid: 1234, gid: 2345, groups: [])
        }
        #expect(bare.output == "2345\nGroups:\t \n", "\(bare)")
    }

    @Test(.enabled(if: isRoot, "needs root to change users"))
    func theWorkingDirectoryIsEnteredWithTheUsersPermissions() throws {
        let directory = makeTemporaryDirectory("spawn-private")
        defer { rmdir(directory) }
        chmod(directory, 0o700)
        let error = try #require(
            spawnError {
                $0.workingDirectory = directory
                $0.identity = SpawnIdentity(uid: 65534, gid: 65534, groups: [])
            })
        #expect(error.step == .workingDirectory)
        #expect(error.errno == EACCES)
        #expect(try run("pwd -P") { $0.workingDirectory = directory }.output == directory + "\n")
    }

    @Test(.enabled(if: !isRoot, "as root every identity change succeeds"))
    func withoutPrivilegesTheIdentityStepFails() {
        let error = spawnError { $0.identity = SpawnIdentity(uid: 0, gid: 0, groups: []) }
        #expect(error?.step == .groups)
    }

    @Test func processSettingsBecomeRequestFields() {
        var request = SpawnRequest(arguments: ["x"], environment: [])
        let user = ServiceUser(spec: "app", name: "app", uid: 1000, gid: 1001, groups: [1001, 50], home: "/home/app")
        request.apply(
            ProcessSettings(
                user: user, umask: 0o022, resourceLimits: [.init(resource: .nproc, soft: 5, hard: 6)],
                noNewPrivileges: true))
        #expect(request.umask == 0o022)
        #expect(request.noNewPrivileges)
        #expect(request.resourceLimits.map(\.resource) == [ResourceLimits.resourceNumber(.nproc)])
        #expect(request.identity == (Self.isRoot ? SpawnIdentity(uid: 1000, gid: 1001, groups: [1001, 50]) : nil))
    }
}
