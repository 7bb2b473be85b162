import Testing

@testable import InitCore

@Suite struct ConfigEffectiveJSONTests {
    @Test func effectiveConfigIsPrintedWithDefaultsAndLayeredEnvironment() throws {
        let result = loadConfig(
            """
            name: demo
            environment: [MODE=prod]
            x-pcinit:
              grace: 1.5
            processes:
              web:
                command: [web, --port, "8080"]
                depends_on:
                  db:
                    condition: process_healthy
              db:
                command: "postgres"
                readiness_probe:
                  tcp_socket:
                    port: 5432
            """,
            files: ["/app/.env": "SECRET=dotenv\n"])
        let config = try #require(result.config)
        let expected = """
            {
              "name": "demo",
              "files": [
                "process-compose.yml"
              ],
              "shell": {
                "shell_command": "/bin/sh",
                "shell_argument": "-c"
              },
              "ordered_shutdown": true,
              "log_length": 1000,
              "is_strict": false,
              "x-pcinit": {
                "grace": 1.5
              },
              "services": [
                {
                  "name": "db",
                  "command": "postgres",
                  "environment_defaults": {
                    "PC_PROC_NAME": "db",
                    "PC_REPLICA_NUM": "0",
                    "SECRET": "dotenv"
                  },
                  "environment": {
                    "MODE": "prod"
                  },
                  "depends_on": {},
                  "availability": {
                    "restart": "no",
                    "backoff_seconds": 1,
                    "max_backoff_seconds": 30,
                    "max_restarts": 0,
                    "exit_on_end": false,
                    "exit_on_skipped": false
                  },
                  "success_exit_codes": [],
                  "readiness_probe": {
                    "tcp_socket": {
                      "host": "127.0.0.1",
                      "port": 5432
                    },
                    "initial_delay_seconds": 0,
                    "period_seconds": 10,
                    "timeout_seconds": 1,
                    "success_threshold": 1,
                    "failure_threshold": 3
                  },
                  "shutdown": {
                    "signal": 15,
                    "timeout_seconds": 10,
                    "parent_only": false
                  },
                  "disabled": false,
                  "is_daemon": false
                },
                {
                  "name": "web",
                  "exec": [
                    "web",
                    "--port",
                    "8080"
                  ],
                  "environment_defaults": {
                    "PC_PROC_NAME": "web",
                    "PC_REPLICA_NUM": "0",
                    "SECRET": "dotenv"
                  },
                  "environment": {
                    "MODE": "prod"
                  },
                  "depends_on": {
                    "db": {
                      "condition": "process_healthy"
                    }
                  },
                  "availability": {
                    "restart": "no",
                    "backoff_seconds": 1,
                    "max_backoff_seconds": 30,
                    "max_restarts": 0,
                    "exit_on_end": false,
                    "exit_on_skipped": false
                  },
                  "success_exit_codes": [],
                  "shutdown": {
                    "signal": 15,
                    "timeout_seconds": 10,
                    "parent_only": false
                  },
                  "disabled": false,
                  "is_daemon": false
                }
              ]
            }
            """
        #expect(config.effectiveJSON().rendered(pretty: true) == expected)
    }

    @Test func replicasShowTheirOrigin() throws {
        let result = loadConfig("processes:\n  w:\n    command: x\n    replicas: 2\n")
        let json = try #require(result.config).effectiveJSON().rendered()
        #expect(json.contains(#"{"name":"w-1","replica_of":"w","replica_num":1,"command":"x""#))
    }
}
