import Foundation
import Testing

@testable import InitCore

/// The process-compose files people actually have: Tests/Corpus/migrating holds our own small reproductions of
/// public files (each names the file it is modelled on in its first comment), from process-compose's demo,
/// docs, examples, issue folders and recipes, devbox plugins, container images and applications. Every file
/// loads, except the few listed with the exact errors that stop them (most of which process-compose rejects
/// too). The reader also agrees with PyYAML on the shape and text of every one of them.
@Suite(.onDedicatedThread) struct MigrationCorpusTests {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/").dropLast(2)
        parts.append(contentsOf: ["Corpus", "migrating"])
        return "/" + parts.joined(separator: "/")
    }()

    /// What `env_cmds` commands print here: the loader's runner is faked, the real one is tested in InitSystem.
    static func fakeRunner(_ request: EnvCommandRequest) -> EnvCommandResult {
        .output("value of \(request.arguments.last ?? "")\n")
    }

    static func load(_ files: [String], environment: [String: String] = [:]) -> ConfigLoadResult {
        ConfigLoader(
            environment: environment, workingDirectory: directory, readFile: readRealFile, runEnvCommand: fakeRunner
        ).load(files: files)
    }

    /// Files that need their authors' `${VARS}` to mean what they say (they load without them too).
    static let authorEnvironments: [String: [String: String]] = [
        "example-data-aggregation.yaml": ["VERSION": "2", "DB_USER": "feeder", "DB_PASSWORD": "pw", "WAIT_SEC": "3"],
        "app-osrd.yaml": ["OSRD_PATH": "/src/osrd"],
        "app-espresso.yaml": ["RELAY_PORT": "40004"],
    ]

    /// The files that do not load, and why. `process-compose rejects it too` where it does.
    static let rejected: [String: [String]] = [
        // A bare $VAR is left for the shell; process-compose expands it when it reads the file.
        "app-espresso-bare-port.yaml": [
            "app-espresso-bare-port.yaml:10:15: error: processes.orchestrator.readiness_probe.http_get.port: invalid port '$ORCHESTRATOR_PORT'; expected a number from 1 to 65535 (pcinit expands ${NAME} when it reads the file but leaves a bare $NAME for the shell; write ${ORCHESTRATOR_PORT})"
        ],
        // process-compose rejects it too (its vars is a mapping).
        "app-greptime-vars-list.yaml": [
            "app-greptime-vars-list.yaml:5:3: error: vars: expected a mapping of names to values, found a list",
            "app-greptime-vars-list.yaml:10:7: error: processes.metasrv.command: '{{.BIN}}': no var 'BIN' (known: PC_REPLICA_NUM); process-compose would render '<no value>'\(ConfigTemplateTests.literal)\(ConfigTemplateTests.optOut)",
        ],
        // process-compose rejects it too ("invalid process dependency condition").
        "app-mqtt-bridge.yaml": [
            "app-mqtt-bridge.yaml:11:20: error: processes.watch-backend.depends_on.watch-css.condition: invalid value 'process-started' (did you mean 'process_started'?); valid values are: process_started, process_healthy, process_completed, process_completed_successfully, process_log_ready"
        ],
        // A devbox template read raw: process-compose would run `php-fpm -y <no value>/php-fpm.conf`.
        "devbox-php-template.yaml": [
            "devbox-php-template.yaml:6:26: error: processes.php-fpm.command: '{{ .DevboxDir }}': no var 'DevboxDir' (known: PC_REPLICA_NUM); process-compose would render '<no value>'\(ConfigTemplateTests.literal)\(ConfigTemplateTests.optOut)"
        ],
        // process-compose rejects it too under is_strict ("dependency process 'trial' ... is disabled").
        "issue-166-strict-disabled.yaml": [
            "issue-166-strict-disabled.yaml:10:7: error: processes.main.depends_on.trial: 'trial' is disabled; it starts only when named on the command line or started by hand"
        ],
        // No TLS in a static, Foundation-free binary.
        "pc-https-probe.yaml": [
            "pc-https-probe.yaml:9:17: error: processes.worker.readiness_probe.http_get.scheme: 'https' is not supported by pcinit (no TLS); probe the plain-HTTP port or use tcp_socket"
        ],
        // Template functions and blocks are not rendered; cron schedules are not run.
        "pc-override-rejected.yaml": [
            "pc-override-rejected.yaml:9:25: error: processes.template.command: '{{or .HI 123 }}': functions ('or') are not supported; pcinit renders only {{.NAME}} references and {{\"...\"}} literals\(ConfigTemplateTests.optOut)",
            "pc-override-rejected.yaml:12:5: error: processes.cron: 'schedule' is not supported by pcinit (cron and interval jobs)",
        ],
    ]

    /// Each corpus entry: one file, or a directory of files loaded together (override, extends).
    static let entries: [(name: String, files: [String])] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            switch name {
            case "issue-177":
                return (name, ["issue-177/process-compose.yml", "issue-177/process-compose.override.yml"])
            case "issue-278": return (name, ["issue-278/server/process-compose.yaml"])
            default: return name.hasSuffix(".yaml") || name.hasSuffix(".yml") ? (name, [name]) : nil
            }
        }
    }()

    /// Every public file the corpus is modelled on, from the comment at the top of each file.
    static func sources() throws -> [String] {
        var sources: [String] = []
        for file in entries.flatMap(\.files) {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            let first = text.split(separator: "\n").first ?? ""
            guard first.hasPrefix("# Modelled on ") else {
                Issue.record("\(file) does not name the public file it is modelled on")
                continue
            }
            sources.append(String(first))
        }
        return sources
    }

    @Test func everyFileNamesItsSourceAndTheCorpusIsBroad() throws {
        let sources = try Self.sources()
        #expect(Self.entries.count >= 55)
        let projects = Set(
            sources.compactMap { line in
                line.split(separator: " ").first { $0.contains("/") && !$0.hasPrefix("#") }.map(String.init)
            })
        #expect(projects.count >= 25, "\(projects.sorted())")
    }

    @Test func everyFileLoadsOrFailsForItsListedReason() {
        var loaded = 0
        for entry in Self.entries {
            let result = Self.load(entry.files, environment: Self.authorEnvironments[entry.name] ?? [:])
            if let expected = Self.rejected[entry.name] {
                #expect(result.errors.map(\.formatted) == expected, "\(entry.name)")
                continue
            }
            #expect(result.errors.isEmpty, "\(entry.name): \(result.errors.map(\.formatted))")
            #expect(result.config.map { !$0.services.isEmpty } == true, "\(entry.name)")
            if result.config != nil { loaded += 1 }
        }
        #expect(loaded == Self.entries.count - Self.rejected.count)
        print("migration corpus: \(loaded) of \(Self.entries.count) load; \(Self.rejected.count) rejected as listed")
    }

    @Test func whatTheFilesMean() throws {
        // Templates per replica, in a probe port (the NATS recipe) and in a command on a pty.
        let nats = Self.load(["recipe-nats-cluster-probe.yaml"])
        let ports = nats.config?.services.compactMap { service -> Int? in
            if case .httpGet(_, let port, _, _, _, _) = service.readinessProbe?.check { return port }
            return nil
        }
        #expect(ports == [8220, 8221, 8222])
        let server = Self.load(["pc-server-replicas.yaml"])
        #expect(server.service("server-1")?.command == .shell("python3 -m http.server 4041"))
        #expect(server.service("server-1")?.isTTY == true)
        let recipe = Self.load(["recipe-nats-cluster.yaml"])
        #expect(recipe.service("node-2")?.description == "NATS node N2 (port 4222)")
        #expect(recipe.service("monitor")?.disabled == true)
        #expect(
            recipe.service("node-0")?.environment.aboveInherited.map { "\($0.0)=\($0.1)" }
                == ["NATS_VERSION=value of nats-server -v | grep -oE '[0-9]+\\.[0-9]+\\.[0-9]+'"])
        let replicaEnv = Self.load(["issue-420-replica-env.yaml"])
        #expect(replicaEnv.service("test-2")?.environment.aboveInherited.map(\.1) == ["2"])
        // The escape and a templated port.
        let override = Self.load(["pc-override-features.yaml"])
        #expect(
            override.service("web")?.livenessProbe?.check
                == .exec(command: "[ $(docker inspect -f {{.State.Running}} web_test) = true ]", workingDir: nil))
        if case .httpGet(_, let port, _, _, _, _) = override.service("web")?.readinessProbe?.check {
            #expect(port == 80)
        }
        // YAML 1.1 booleans in boolean fields only.
        #expect(Self.load(["docs-parent-only.yaml"]).service("web")?.shutdown.parentOnly == false)
        #expect(Self.load(["app-slacklinker.yaml"]).service("postgres")?.availability.restart == RestartPolicy.no)
        // Overrides and extends.
        #expect(
            Self.load(["issue-177/process-compose.yml", "issue-177/process-compose.override.yml"]).service("test")?
                .disabled == false)
        let extended = Self.load(["issue-278/server/process-compose.yaml"])
        #expect(extended.config?.services.map(\.name) == ["db", "server"])
        #expect(extended.service("db")?.workingDir == Self.directory + "/issue-278/db")
        // The authors' variables.
        let espresso = Self.load(["app-espresso.yaml"], environment: Self.authorEnvironments["app-espresso.yaml"]!)
        if case .httpGet(_, let port, _, _, _, _) = espresso.service("relay")?.readinessProbe?.check {
            #expect(port == 40004)
        }
        #expect(espresso.service("deploy")?.availability.restart == .exitOnFailure)
        #expect(espresso.service("l1")?.availability.exitOnEnd == true)
        let osrd = Self.load(["app-osrd.yaml"], environment: Self.authorEnvironments["app-osrd.yaml"]!)
        #expect(osrd.service("core")?.workingDir == "/src/osrd/core")
        #expect(osrd.warnings.isEmpty, "\(osrd.messages)")
    }

    /// The reader agrees with PyYAML on every file: the same tree with the same scalar texts (PyYAML's
    /// BaseLoader resolves nothing, so YAML 1.1's `no` and 1.2's `no` compare equal as text).
    @Test func theReaderAgreesWithPyYAML() throws {
        let files = Self.entries.flatMap(\.files)
        let texts = try files.map { try String(contentsOfFile: Self.directory + "/" + $0, encoding: .utf8) }
        guard let expected = try Self.pyYAMLBaseTrees(texts) else { return }
        for (index, file) in files.enumerated() {
            let document = try YAMLReader.parse(texts[index], file: file)
            let mine = document.map(Self.textTree) ?? NSNull()
            #expect(
                NSDictionary(dictionary: ["d": mine]).isEqual(to: ["d": expected[index]]),
                "\(file): reader \(mine) vs PyYAML \(expected[index])")
        }
    }

    /// Every scalar as its text, mappings as dictionaries, sequences as arrays.
    static func textTree(_ node: YAMLNode) -> Any {
        switch node.content {
        case .scalar(let text, _): return text
        case .sequence(let items): return items.map(textTree)
        case .mapping(let pairs):
            var result: [String: Any] = [:]
            for (key, value) in pairs {
                if case .scalar(let text, _) = key.content { result[text] = textTree(value) }
            }
            return result
        }
    }

    static func pyYAMLBaseTrees(_ documents: [String]) throws -> [Any]? {
        let script = """
            import json, sys, yaml
            docs = json.load(open(sys.argv[1], encoding="utf-8"))
            json.dump([yaml.load(d, Loader=yaml.BaseLoader) for d in docs], open(sys.argv[2], "w", encoding="utf-8"))
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pcinit-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.json")
        let output = directory.appendingPathComponent("out.json")
        try JSONSerialization.data(withJSONObject: documents).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, input.path, output.path]
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            print("skipping the PyYAML comparison: cannot run python3")
            return nil
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output) else {
            print("skipping the PyYAML comparison: python3 with PyYAML is not available")
            return nil
        }
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [Any]
    }
}
