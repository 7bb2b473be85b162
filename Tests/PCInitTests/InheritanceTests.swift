import Foundation
import Glibc
import Testing

/// The command sees what it would have seen without pcinit: stdio, environment, working directory,
/// inherited descriptors, signal mask and ignored signals. pcinit itself keeps none of it.
@Suite("What the command inherits", .timeLimit(.minutes(1)))
struct InheritanceTests {
    @Test func stdinPipeReachesTheCommand() async throws {
        let result = try await Subprocess.run(["sh", "-c", #"printf 'a\nb\n' | "$0" tac"#, Paths.pcinit])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "b\na\n")
    }

    @Test func shellReadsItsScriptFromStdin() async throws {
        let result = try await runPCInit(["sh"], input: .text("echo from-stdin\nexit 7\n"))
        #expect(result.status == 7, "\(result)")
        #expect(result.stdout == "from-stdin\n")
    }

    @Test func environmentIsPassedExactly() async throws {
        let environment = Environment.clean.with([
            "FOO": "bar", "WITH_SPACES": "a b  c", "WITH_EQUALS": "x=y=z", "EMPTY": "", "UNICODE": "héllo ✓",
        ])
        let process = try Subprocess(InitMode.subreaper.command(["env"]), environment: environment)
        defer { process.killTree() }
        let result = try await process.wait()
        #expect(result.status == 0, "\(result)")
        // Exactly what pcinit was started with: the test's variables, the harness's endpoints and tag.
        let got = result.stdout.split(separator: "\n").map(String.init).sorted()
        #expect(got == process.environmentEntries.sorted())
        #expect(got.contains("WITH_EQUALS=x=y=z") && got.contains("EMPTY="), "\(got)")
    }

    /// Own process group (so signals reach all it starts), but the same session: no setsid, so it keeps
    /// the caller's controlling terminal.
    @Test func commandLeadsItsOwnProcessGroupInPCInitsSession() async throws {
        let pcinit = try await RunningInit.start(["sleep", uniqueSleepSeconds()])
        defer { pcinit.killTree() }
        let command = try #require(await Poll.value { pcinit.commandPID })
        let commandStat = try #require(ProcFS.stat(command))
        let initStat = try #require(ProcFS.stat(pcinit.pid))
        #expect(commandStat.processGroup == command)
        #expect(initStat.processGroup != command)
        #expect(commandStat.session == initStat.session)
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    @Test func commandKeepsTheCallersDirectoryWhilePCInitMovesToRoot() async throws {
        let directory = try TemporaryDirectory()
        let sleeper = uniqueSleepSeconds()
        let pcinit = try await RunningInit.start(["sleep", sleeper], workingDirectory: directory.path)
        defer { pcinit.killTree() }
        let command = try #require(await Poll.value { pcinit.commandPID })
        let expected = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        #expect(ProcFS.workingDirectory(command) == expected)
        #expect(ProcFS.workingDirectory(pcinit.pid) == "/", "pcinit must not pin the caller's directory")
        pcinit.send(SIGTERM)
        #expect(try await pcinit.wait().status == 143)
    }

    @Test func commandGetsInheritedDescriptorsAndPCInitHoldsNone() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("fd9")
        let sleeper = uniqueSleepSeconds()
        // sh opens fd 7 and 9, then becomes pcinit (same pid).
        let script = #"exec 7</dev/null 9>>"$1"; exec "$0" sleep "$2""#
        let process = try Subprocess(["sh", "-c", script, Paths.pcinit, file, sleeper])
        defer { process.killTree() }
        let ready = await Poll.until {
            ProcFS.executable(process.pid) == Paths.pcinitResolved
                && ProcFS.fileDescriptors(process.pid).values.contains("anon_inode:[signalfd]")
        }
        try #require(ready, "pcinit did not start: \(process.stderr)")
        let command = try #require(await Poll.value { ProcFS.children(of: process.pid).first })
        let commandFDs = ProcFS.fileDescriptors(command)
        #expect(commandFDs[7] == "/dev/null")
        #expect(commandFDs[9] == URL(fileURLWithPath: file).resolvingSymlinksInPath().path)
        let own = ProcFS.fileDescriptors(process.pid).filter { $0.key >= 3 }
        #expect(own.values.allSatisfy { $0.hasPrefix("anon_inode:") }, "pcinit holds \(own)")
        #expect(own[7] == nil && own[9] == nil, "pcinit holds \(own)")
        process.send(SIGTERM)
        #expect(try await process.wait().status == 143)
    }

    /// tini's sigconf test: a caller's ignored and blocked signals reach the command unchanged.
    @Test(arguments: [
        [String](),
        ["--ignore-signal=HUP,INT", "--block-signal=USR2,TERM"],
        ["--ignore-signal=PIPE,TTOU,SEGV", "--block-signal=TTIN,ILL,RTMIN+3"],
    ])
    func signalMaskAndIgnoredSignalsAreInherited(envOptions: [String]) async throws {
        let probe = ["grep", "^Sig", "/proc/self/status"]
        let without = try await Subprocess.run(["env"] + envOptions + probe)
        let with = try await Subprocess.run(["env"] + envOptions + [Paths.pcinit] + probe)
        #expect(without.status == 0 && with.status == 0, "\(without)\n\(with)")
        func fields(_ text: String) -> [String: String] {
            var result: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { result[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return result
        }
        let direct = fields(without.stdout)
        let viaPCInit = fields(with.stdout)
        for name in ["SigBlk", "SigIgn", "SigCgt"] {
            #expect(direct[name] != nil)
            #expect(viaPCInit[name] == direct[name], "\(name) differs: \(with.stdout) vs \(without.stdout)")
        }
        // The comparison has teeth: the options really changed the state.
        if envOptions.first == "--ignore-signal=HUP,INT" {
            let ignored = ProcFS.signalSet(viaPCInit["SigIgn"] ?? "")
            let blocked = ProcFS.signalSet(viaPCInit["SigBlk"] ?? "")
            #expect(ignored.isSuperset(of: [SIGHUP, SIGINT]))
            #expect(blocked.isSuperset(of: [SIGUSR2, SIGTERM]))
        }
    }
}
