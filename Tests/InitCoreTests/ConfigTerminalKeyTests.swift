import Testing

@testable import InitCore

/// Keys that only make sense with process-compose's TUI or sudo degrade instead of failing the file;
/// `env_cmds` run while loading.
@Suite struct ConfigTerminalKeyTests {
    @Test func terminalKeysDegrade() {
        let result = loadConfig(
            """
            processes:
              server:
                command: "python3 -m http.server"
                is_tty: true
              lazygit:
                command: lazygit
                is_interactive: true
              nats-top:
                command: nats-top
                is_foreground: true
              elevated:
                command: ls -l /root
                is_elevated: true
              plain:
                command: x
                is_tty: no
                is_interactive: off
            """)
        #expect(result.errors.isEmpty)
        #expect(result.service("server")?.isTTY == true)
        #expect(result.service("plain")?.isTTY == false)
        #expect(result.service("lazygit")?.disabled == false)
        #expect(result.service("nats-top")?.disabled == true)
        #expect(
            result.messages == [
                "process-compose.yml:7:5: warning: processes.lazygit.is_interactive: pcinit has no TUI to attach to; 'lazygit' runs as a normal service (output relayed, stdin /dev/null)",
                "process-compose.yml:10:5: warning: processes.nats-top.is_foreground: pcinit has no TUI to hand the terminal to; 'nats-top' runs as a normal service and, as process-compose starts foreground processes only on request, stays down until `pcinit start nats-top`",
                "process-compose.yml:13:5: warning: processes.elevated.is_elevated: pcinit does not run sudo; 'elevated' runs with pcinit's own privileges",
            ])
        #expect(result.config?.effectiveJSON().rendered().contains("\"is_tty\":true") == true)
    }

    @Test func warningsComeOncePerProcessNotPerReplica() {
        let result = loadConfig(
            "processes:\n  a:\n    replicas: 3\n    command: \"x{{.PC_REPLICA_NUM}}\"\n    is_elevated: true\n")
        #expect(result.warnings.count == 1)
    }

    func loadWithCommands(_ yaml: String, _ run: @escaping (EnvCommandRequest) -> EnvCommandResult) -> ConfigLoadResult
    {
        var harness = ConfigTestHarness(yaml)
        harness.environment = ["COMPOSE_SHELL": "/bin/dash"]
        var loader = harness.loader
        loader.runEnvCommand = run
        return loader.load(files: ["process-compose.yml"])
    }

    /// Modelled on process-compose-recipes postgres-basic/process-compose.yaml.
    @Test func envCommandsJoinTheTopLevelEnvironment() {
        var requests: [EnvCommandRequest] = []
        let result = loadWithCommands(
            """
            environment:
              - "PGDATA=./postgres_data/data"
              - "PGHOST=overridden"
            env_cmds:
              PGHOST: "echo $(pwd)/postgres_data"
              BROKEN: "exit 3"
              SLOW: "sleep 5"
            processes:
              sanitycheck:
                command: "echo Data dir: $$PGHOST"
                environment: ["OWN=1"]
            """
        ) { request in
            requests.append(request)
            switch request.arguments.last {
            case "echo $(pwd)/postgres_data": return .output("  /app/postgres_data\n")
            case "exit 3": return .failed("exited 3")
            default: return .failed("timed out after 2s")
            }
        }
        #expect(requests.map(\.arguments.first) == ["/bin/dash", "/bin/dash", "/bin/dash"])
        #expect(requests.allSatisfy { $0.timeout == .seconds(2) })
        #expect(
            result.service("sanitycheck")?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == [
                "PGDATA=./postgres_data/data", "PGHOST=overridden", "PGHOST=/app/postgres_data", "OWN=1",
            ])
        #expect(
            result.messages == [
                "process-compose.yml:6:3: warning: env_cmds.BROKEN: 'exit 3' exited 3; BROKEN is left unset",
                "process-compose.yml:7:3: warning: env_cmds.SLOW: 'sleep 5' timed out after 2s; SLOW is left unset",
            ])
        // The later env_cmds value wins at spawn, as it does upstream (appended to the top-level environment).
        #expect(
            result.service("sanitycheck")?.environment.resolved(inherited: []).contains("PGHOST=/app/postgres_data")
                == true)
    }
}
