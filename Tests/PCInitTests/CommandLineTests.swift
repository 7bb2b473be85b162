import Foundation
import Glibc
import Testing

/// The command-line contract of single-command mode: arguments, usage errors, exit codes, messages.
@Suite("Command line and exit codes", .timeLimit(.minutes(1)))
struct CommandLineTests {
    @Test func versionPrintsNameAndVersionAndExitsZero() async throws {
        let result = try await runPCInit(["--version"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.wholeMatch(of: /pcinit \d+\.\d+\.\d+\S*\n/) != nil, "\(result)")
        #expect(result.stderr.isEmpty)
    }

    @Test func helpPrintsUsageAndExitsZero() async throws {
        let result = try await runPCInit(["--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Usage:"))
        #expect(result.stdout.contains("-- COMMAND"))
        #expect(result.stderr.isEmpty)
    }

    /// No config may be found: run from an empty directory with PC_CONFIG_FILES/PCINIT_CONFIG unset.
    @Test(arguments: [["--bogus"], [], ["--"], ["--bogus", "true"]])
    func usageErrorsExitTwoWithAMessage(arguments: [String]) async throws {
        let empty = try TemporaryDirectory()
        let result = try await runPCInit(arguments, workingDirectory: empty.path)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.hasPrefix("pcinit"), "\(result)")
        #expect(result.stderrLines.count == 1, "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func argumentsAfterTheProgramReachItUntouched() async throws {
        let result = try await runPCInit(["printf", "%s|", "-a", "--b", "c d", "--help", "-V", ""])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "-a|--b|c d|--help|-V||")
    }

    @Test func doubleDashFormRunsTheCommandWithItsArgumentsUntouched() async throws {
        let result = try await runPCInit(["--", "printf", "%s|", "--", "-x", "--version"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "--|-x|--version|")
    }

    /// tini/dumb-init/catatonit all pass this (init-peers.md check 6): nothing after the program is
    /// parsed by the init, a `--` among the command's own arguments included. (Regression: pcinit once ran
    /// `bar` here.)
    @Test func doubleDashAmongTheCommandsArgumentsIsPassedThrough() async throws {
        let empty = try TemporaryDirectory()
        let result = try await runPCInit(
            ["sh", "-c", #"printf "%s|" "$@""#, "x", "-v", "--foo", "--", "bar"], workingDirectory: empty.path)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "-v|--foo|--|bar|", "\(result)")
    }

    @Test func everyExitCodeFrom0To255IsPassedThrough() async throws {
        // One shell loop runs pcinit 256 times; each run takes a few milliseconds.
        let script = #"for i in $(seq 0 255); do "$0" sh -c "exit $i"; echo "$i $?"; done"#
        let result = try await Subprocess.run(["sh", "-c", script, Paths.pcinit], timeout: .seconds(50))
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 256, "\(result)")
        let wrong = lines.filter { line in
            let parts = line.split(separator: " ")
            return parts.count != 2 || parts[0] != parts[1]
        }
        #expect(wrong.isEmpty, "code → pcinit status: \(wrong)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test(arguments: [SIGTERM, SIGHUP, SIGQUIT, SIGKILL, SIGSEGV, SIGINT, SIGUSR1])
    func commandKilledBySignalGives128PlusN(signal: Int32) async throws {
        let cwd = try TemporaryDirectory()  // in case a core file is written after all
        let result = try await runPCInit(
            ["sh", "-c", #"ulimit -c 0; kill -s "$0" $$; sleep 30"#, "\(signal)"], workingDirectory: cwd.path)
        #expect(result.termination.exitCode == 128 + signal, "\(result)")
        #expect(result.duration < .seconds(15), "\(result)")
    }

    @Test func unknownCommandExits127WithOneLineNamingIt() async throws {
        let name = "no-such-program-\(UInt32.random(in: 0...UInt32.max))"
        let result = try await runPCInit([name, "arg"])
        #expect(result.status == 127, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(name), "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test func missingPathExits127() async throws {
        let result = try await runPCInit(["/nonexistent/dir/program"])
        #expect(result.status == 127, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("/nonexistent/dir/program"), "\(result)")
    }

    @Test func directoryExits126WithOneLineNamingIt() async throws {
        let result = try await runPCInit(["/etc"])
        #expect(result.status == 126, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains("/etc"), "\(result)")
    }

    @Test func nonExecutableFileExits126WithOneLineNamingIt() async throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("not-executable.sh", "#!/bin/sh\necho ran\n", mode: 0o644)
        let result = try await runPCInit([script])
        #expect(result.status == 126, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(script), "\(result)")
        #expect(result.stdout.isEmpty, "the script must not have run")
    }

    @Test func nothingIsPrintedByDefault() async throws {
        let result = try await runPCInit(["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n", "pcinit must add nothing at the default log level")
    }
}
