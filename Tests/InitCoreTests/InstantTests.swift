import Testing

@testable import InitCore

@Suite struct InstantTests {
    @Test func addingDurationMovesForward() {
        let t = Instant(nanoseconds: 1_000) + .milliseconds(2)
        #expect(t.nanoseconds == 2_001_000)
    }

    @Test func millisecondsRoundUpSoTimersNeverFireEarly() {
        #expect(Duration.nanoseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.milliseconds(5).millisecondsRoundedUp == 5)
        #expect(Duration.nanoseconds(-3).millisecondsRoundedUp == 0)
    }

    /// Found by Tests/Fuzz: `x-pcinit: {stop_timeout: 1e10}` (or PCINIT_GRACE=1e10) trapped converting the
    /// nanoseconds to Int64; they are clamped to Int64.max (~292 years).
    @Test func hugeConfigDurationsAreClampedInsteadOfTrapping() {
        #expect(DurationText.parse("1e10") == .nanoseconds(Int64.max))
        #expect(DurationText.parse("1e300h") == .nanoseconds(Int64.max))
        #expect(DurationText.parse("1.5") == .milliseconds(1500))
        #expect(Duration.seconds(fromConfig: -1e300) == .nanoseconds(Int64.min))
        #expect(Duration.seconds(fromConfig: .nan) == .zero)
        let result = loadConfig("x-pcinit:\n  stop_timeout: 1e10\nprocesses:\n  a:\n    command: x\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.config?.pcinit.stopTimeout == .nanoseconds(Int64.max))
    }

    @Test func environmentLayersPutInheritedBetweenDotEnvAndFile() {
        let env = ServiceEnvironment(
            belowInherited: [("PC_PROC_NAME", "web"), ("A", "dotenv"), ("B", "dotenv")],
            aboveInherited: [("B", "file")]
        )
        let resolved = env.resolved(inherited: [("A", "os"), ("PATH", "/bin")])
        #expect(resolved == ["PC_PROC_NAME=web", "A=os", "B=file", "PATH=/bin"])
    }
}

@Suite struct InvocationTests {
    @Test func optionsStopAtTheProgramAndEverythingAfterIsVerbatim() throws {
        let invocation = try Invocation.parse(["-f", "a.yml", "printf", "-f", "--", "x"])
        guard case .run(let options) = invocation else {
            Issue.record("expected run, got \(invocation)")
            return
        }
        #expect(options.global.configFiles == ["a.yml"])
        #expect(options.commandWithoutConfig == ["printf", "-f", "--", "x"])
        #expect(options.positionals == ["printf", "-f"])
        #expect(options.command == ["x"])
    }

    @Test func leadingDoubleDashIsTheMainCommand() throws {
        guard case .run(let options) = try Invocation.parse(["--", "sh", "-c", "true"]) else {
            Issue.record("expected run")
            return
        }
        #expect(options.command == ["sh", "-c", "true"])
        #expect(options.positionals.isEmpty)
        #expect(options.commandWithoutConfig == ["sh", "-c", "true"])
    }

    @Test func subcommandsAndTheirFlags() throws {
        #expect(
            try Invocation.parse(["logs", "-f", "-n", "5", "web"])
                == .logs(.init(), follow: true, lines: 5, services: ["web"]))
        #expect(
            try Invocation.parse(["config", "--raw", "x.yml"]) == .config(.init(configFiles: ["x.yml"]), raw: true))
        #expect(try Invocation.parse(["status", "--json"]) == .status(.init(), json: true))
        #expect(
            try Invocation.parse(["restart", "a", "b"]) == .control(.init(), verb: .restart, services: ["a", "b"]))
        #expect(try Invocation.parse(["--check"]) == .check(.init()))
    }

    /// process-compose's `-e/--env FILE`, repeatable, before the services and after `config`.
    @Test func envFiles() throws {
        guard case .run(let options) = try Invocation.parse(["-e", "a.env", "--env=b.env", "-f", "x.yml", "web"])
        else {
            Issue.record("expected run")
            return
        }
        #expect(options.global.envFiles == ["a.env", "b.env"])
        #expect(options.positionals == ["web"])
        #expect(
            try Invocation.parse(["config", "-e", "c.env"]) == .config(.init(envFiles: ["c.env"]), raw: false))
        guard case .run(let up) = try Invocation.parse(["up", "-e", "d.env", "web"]) else {
            Issue.record("expected up to run")
            return
        }
        #expect(up.global.envFiles == ["d.env"])
        #expect(throws: UsageError.self) { try Invocation.parse(["status", "-e", "c.env"]) }
        #expect(throws: UsageError.self) { try Invocation.parse(["-e"]) }
    }

    @Test func usageErrorsAreReported() {
        #expect(throws: UsageError.self) { try Invocation.parse(["--bogus"]) }
        #expect(throws: UsageError.self) { try Invocation.parse(["--"]) }
        #expect(throws: UsageError.self) { try Invocation.parse(["-f"]) }
        #expect(throws: UsageError.self) { try Invocation.parse(["stop"]) }
        #expect(throws: UsageError.self) { try Invocation.parse(["--check", "extra"]) }
    }
}
