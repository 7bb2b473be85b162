import Testing

@testable import InitCore

/// process-compose's Go templates, the subset real files use: `{{.NAME}}` into `vars` and `PC_REPLICA_NUM`,
/// rendered per replica where process-compose renders them; other constructs are errors with their line.
@Suite struct ConfigTemplateTests {
    static let optOut = " (or set is_template_disabled: true to run the command as written)"
    static let literal = "; a literal '{{' is written {{\"{{\"}}"

    func env(_ service: ServiceConfig?) -> [String] {
        service?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } ?? []
    }

    /// process-compose's docs: `python3 -m http.server 404{{.PC_REPLICA_NUM}}` with the same port probed.
    @Test func replicaNumberRendersPerReplicaInCommandProbeAndEnvironment() {
        let result = loadConfig(
            """
            processes:
              server:
                command: "python3 -m http.server 404{{.PC_REPLICA_NUM}}"
                replicas: 3
                description: "server N{{ .PC_REPLICA_NUM }}"
                working_dir: "/srv/{{.PC_REPLICA_NUM}}"
                environment:
                  - "REPL={{.PC_REPLICA_NUM}}"
                readiness_probe:
                  http_get:
                    host: "127.0.0.1"
                    port: "404{{.PC_REPLICA_NUM}}"
                    path: "/r{{.PC_REPLICA_NUM}}"
                liveness_probe:
                  exec:
                    command: "test -f /tmp/up-{{.PC_REPLICA_NUM}}"
            """)
        #expect(result.diagnostics.isEmpty)
        for replica in 0..<3 {
            let service = result.service("server-\(replica)")
            #expect(service?.command == .shell("python3 -m http.server 404\(replica)"))
            #expect(service?.description == "server N\(replica)")
            #expect(service?.workingDir == "/srv/\(replica)")
            #expect(env(service) == ["REPL=\(replica)"])
            #expect(
                service?.readinessProbe?.check
                    == .httpGet(
                        host: "127.0.0.1", port: 4040 + replica, path: "/r\(replica)", scheme: "http", headers: [:],
                        statusCode: 200))
            #expect(service?.livenessProbe?.check == .exec(command: "test -f /tmp/up-\(replica)", workingDir: nil))
        }
    }

    @Test func oneReplicaIsReplicaZero() {
        let result = loadConfig("processes:\n  web:\n    command: \"serve :80{{.PC_REPLICA_NUM}}\"\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("web")?.command == .shell("serve :800"))
    }

    /// Modelled on process-compose-recipes nats-cluster/process-compose.yaml (an earlier version), where the
    /// probe port failed with "invalid port '822{{ .PC_REPLICA_NUM }}'".
    @Test func natsClusterProbePorts() {
        let result = loadConfig(
            """
            processes:
              nats-cluster-node:
                command: nats-server -m 822$${PC_REPLICA_NUM}
                replicas: 3
                readiness_probe:
                  http_get:
                    host: 127.0.0.1
                    path: "/healthz?js-server-only=true"
                    port: "822{{ .PC_REPLICA_NUM }}"
            """)
        #expect(result.diagnostics.isEmpty)
        let ports = result.config?.services.compactMap { service -> Int? in
            if case .httpGet(_, let port, _, _, _, _) = service.readinessProbe?.check { return port }
            return nil
        }
        #expect(ports == [8220, 8221, 8222])
        #expect(result.service("nats-cluster-node-1")?.command == .shell("nats-server -m 822${PC_REPLICA_NUM}"))
    }

    @Test func varsAtBothLevelsProcessWinsAndReplicaNumberIsReserved() {
        let result = loadConfig(
            """
            vars:
              LOCATION: Europe
              VERSION: v1.2.3
              PORT: 80
              PC_REPLICA_NUM: 99
            processes:
              watcher:
                vars:
                  LOCATION: USA
                  OK: SUCCESS
                  PRE: 2
                command: "sleep {{.PRE}} && echo {{.OK}} from {{.LOCATION}} {{.VERSION}} #{{.PC_REPLICA_NUM}}"
                readiness_probe:
                  http_get: {port: "{{.PORT}}"}
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("watcher")?.command == .shell("sleep 2 && echo SUCCESS from USA v1.2.3 #0"))
        if case .httpGet(_, let port, _, _, _, _) = result.service("watcher")?.readinessProbe?.check {
            #expect(port == 80)
        } else {
            Issue.record("no http probe")
        }
    }

    @Test func nestedVarsAndTrimMarkersAndComments() {
        let result = loadConfig(
            """
            vars:
              DB: {HOST: db.local, PORT: 5432}
            processes:
              a:
                command: "psql -h {{.DB.HOST}} -p {{- /* the port */ -}} {{ .DB.PORT }}"
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.command == .shell("psql -h db.local -p5432"))
    }

    /// process-compose's escape for a literal `{{` (its docs' docker inspect example), with both quote kinds.
    @Test func escapesRenderLiteralBraces() {
        let result = loadConfig(
            """
            processes:
              nginx:
                command: 'echo {{`{{`}} and {{"}}"}}'
                liveness_probe:
                  exec:
                    command: '[ $(docker inspect -f {{ "{{.State.Running}}" }} nginx_test) = true ]'
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("nginx")?.command == .shell("echo {{ and }}"))
        #expect(
            result.service("nginx")?.livenessProbe?.check
                == .exec(command: "[ $(docker inspect -f {{.State.Running}} nginx_test) = true ]", workingDir: nil))
    }

    /// `is_template_disabled` turns off rendering of `command` only, as upstream (its docs and its test).
    @Test func templateDisabledLeavesTheCommandAlone() {
        let result = loadConfig(
            """
            vars: {Name: Alice}
            processes:
              api-call:
                command: curl -d '{"key":"{{value}}"}'
                working_dir: "/{{.Name}}-dir"
                is_template_disabled: true
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("api-call")?.command == .shell("curl -d '{\"key\":\"{{value}}\"}'"))
        #expect(result.service("api-call")?.workingDir == "/Alice-dir")
    }

    /// Modelled on process-compose's own process-compose.override.yaml `template` process.
    @Test func otherConstructsAreErrorsNamingTheConstructAndItsLine() {
        let result = loadConfig(
            """
            vars:
              HI: Cool Dude
            processes:
              template:
                command: 'echo ''Hi {{or .HI 123 }} from {{if .A}}x{{end}}'''
              piped:
                command: x
                description: "{{ .HI | printf \\"%q\\" }}"
              block:
                command: |
                  echo one
                  echo {{ $x := .HI }}
              missing:
                working_dir: "{{ .NOPE }}"
                command: x
              open:
                command: "echo {{ .HI"
            """)
        #expect(result.config == nil)
        let supported = "pcinit renders only {{.NAME}} references and {{\"...\"}} literals"
        let optOut = Self.optOut
        let literal = Self.literal
        #expect(
            result.messages == [
                "process-compose.yml:5:25: error: processes.template.command: '{{or .HI 123 }}': functions ('or') are not supported; \(supported)\(optOut)",
                "process-compose.yml:8:18: error: processes.piped.description: '{{ .HI | printf \"%q\" }}': pipelines ('|') are not supported; \(supported)",
                "process-compose.yml:12:12: error: processes.block.command: '{{ $x := .HI }}': template variables ('$x') are not supported; \(supported)\(optOut)",
                "process-compose.yml:14:19: error: processes.missing.working_dir: '{{ .NOPE }}': no var 'NOPE' (known: HI, PC_REPLICA_NUM); process-compose would render '<no value>'\(literal)",
                "process-compose.yml:17:20: error: processes.open.command: unclosed '{{' (no '}}' after it); write {{\"{{\"}} for a literal '{{'\(optOut)",
            ])
    }

    @Test func ifBlocksAreNamed() {
        let result = loadConfig("processes:\n  a:\n    command: \"{{if .X}}a{{end}}\"\n")
        #expect(
            result.messages == [
                "process-compose.yml:3:15: error: processes.a.command: '{{if .X}}': 'if' blocks are not supported; pcinit renders only {{.NAME}} references and {{\"...\"}} literals\(Self.optOut)"
            ])
    }

    /// Found by Tests/Fuzz: with bare "\r" line ends the YAML reader counts lines the finder of an error's
    /// column did not ("\n" only), and a template error on line 3 of a one-"\n"-line file trapped.
    @Test func templateErrorsAreLocatedInFilesWithCarriageReturnLineEnds() {
        let result = loadConfig("processes:\r  a:\r    command: \"echo {{ .NOPE }}\"\r")
        #expect(
            result.messages == [
                "process-compose.yml:3:20: error: processes.a.command: '{{ .NOPE }}': no var 'NOPE' (known: PC_REPLICA_NUM); process-compose would render '<no value>'\(Self.literal)\(Self.optOut)"
            ])
    }

    /// An error in every replica is reported once.
    @Test func replicaErrorsAreReportedOnce() {
        let result = loadConfig(
            "processes:\n  a:\n    replicas: 4\n    command: \"x {{.PC_REPLICA_NUM}} {{.GHOST}}\"\n")
        #expect(result.errors.count == 1)
        let ports = loadConfig(
            "processes:\n  a:\n    replicas: 12\n    command: x\n    readiness_probe:\n      tcp_socket: {port: \"6553{{.PC_REPLICA_NUM}}\"}\n"
        )
        #expect(
            ports.messages == [
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '65536'; expected a number from 1 to 65535",
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '65537'; expected a number from 1 to 65535",
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '65538'; expected a number from 1 to 65535",
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '65539'; expected a number from 1 to 65535",
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '655310'; expected a number from 1 to 65535",
                "process-compose.yml:6:26: error: processes.a.readiness_probe.tcp_socket.port: invalid port '655311'; expected a number from 1 to 65535",
            ])
    }

    @Test func varsMustBeAMapping() {
        // Modelled on GreptimeTeam/testbed process-compose.yml, which process-compose rejects as well.
        let result = loadConfig(
            "vars:\n  - name: BIN\n    value: ./greptime\nprocesses:\n  a:\n    command: \"{{.BIN}}\"\n")
        #expect(
            result.messages == [
                "process-compose.yml:2:3: error: vars: expected a mapping of names to values, found a list",
                "process-compose.yml:6:15: error: processes.a.command: '{{.BIN}}': no var 'BIN' (known: PC_REPLICA_NUM); process-compose would render '<no value>'\(Self.literal)\(Self.optOut)",
            ])
    }

    /// Fields process-compose does not render keep their braces (a shell may want them).
    @Test func fieldsProcessComposeDoesNotRenderAreLeftAlone() {
        let result = loadConfig(
            """
            processes:
              a:
                command: x
                shutdown: {command: "echo {{.X}}"}
                ready_log_line: "{{ready}}"
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.shutdown.command == "echo {{.X}}")
    }

    @Test func listCommandItemsRender() {
        let result = loadConfig(
            "processes:\n  a:\n    replicas: 2\n    command: [\"serve\", \"--port\", \"80{{.PC_REPLICA_NUM}}\"]\n")
        #expect(result.service("a-1")?.command == .exec(["serve", "--port", "801"]))
        #expect(env(result.service("a-0")) == [])
    }

    @Test func renderer() {
        var used: Set<String> = []
        let vars: [String: GoTemplate.Value] = ["A": .text("1"), "L": .unrenderable(kind: "a list")]
        #expect(GoTemplate.render("{{.A}}{{.A}}", vars: vars, usedNames: &used) == .success("11"))
        #expect(used == ["A"])
        #expect(GoTemplate.render("a }} b", vars: vars, usedNames: &used) == .success("a }} b"))
        #expect(GoTemplate.render("{{\"\\t\\x41\\u00e9\"}}", vars: vars, usedNames: &used) == .success("\tAé"))
        guard case .failure(let failure) = GoTemplate.render("x{{.L}}", vars: vars, usedNames: &used) else {
            Issue.record("a list var rendered")
            return
        }
        #expect(failure.offset == 1)
        #expect(failure.message == "'{{.L}}': var 'L' is a list; only scalar vars can be rendered")
    }
}
