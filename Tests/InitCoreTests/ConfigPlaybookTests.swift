import Foundation
import Testing

@testable import InitCore

/// Our users' tenant playbook (Tests/Corpus/config/seed-tenant-playbook.yml, verbatim from their guide) writes
/// forms process-compose rejects or misreads; pcinit runs them as meant, warning once per spot.
@Suite struct ConfigPlaybookTests {
    func load(environment: [String: String] = [:]) -> ConfigLoadResult {
        ConfigLoader(environment: environment, workingDirectory: ConfigStackTests.directory, readFile: readRealFile)
            .load(files: ["seed-tenant-playbook.yml"])
    }

    @Test func thePlaybookLoadsVerbatim() throws {
        let result = load(environment: ["PB_PUBLIC_URL": "https://t.example", "PB_ENCRYPTION_KEY": "k"])
        #expect(result.errors.isEmpty, "\(result.messages)")
        let config = try #require(result.config)
        #expect(config.services.map(\.name) == ["restore_db", "litestream", "pocketbase", "caddy"])

        let restore = try #require(result.service("restore_db"))
        #expect(
            restore.command
                == .exec([
                    "sh", "-lc",
                    """
                    set -e
                    DB=/data/pb_data.db
                    if [ -f "$DB" ]; then
                      echo "[restore] DB exists, skipping"
                    else
                      echo "[restore] restoring from replica..."
                      mkdir -p /data /data/public
                      litestream restore -if-replica-exists -config /app/litestream.yml "$DB" || true
                    fi
                    echo "[restore] done"

                    """,
                ]))
        #expect(restore.availability.restart == .no)
        #expect(
            restore.readinessProbe?.check
                == .execArguments(["sh", "-lc", "test -f /data/pb_data.db || exit 0"], workingDir: nil))

        let litestream = try #require(result.service("litestream"))
        #expect(
            litestream.command
                == .exec([
                    "sh", "-lc",
                    "until [ -f /data/pb_data.db ]; do echo \"[ls] waiting for DB...\"; sleep 0.5; done\n"
                        + "exec litestream replicate -config /app/litestream.yml\n",
                ]))
        #expect(litestream.availability.restart == .always)

        let pocketbase = try #require(result.service("pocketbase"))
        #expect(
            pocketbase.readinessProbe?.check
                == .httpGet(
                    host: "127.0.0.1", port: 30081, path: "/api/health", scheme: "http", headers: [:], statusCode: 200))
        #expect(
            pocketbase.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == [
                "PB_PUBLIC_URL=https://t.example", "PB_ENCRYPTION_KEY=k", "GOMEMLIMIT=192MiB",
            ])
        let caddy = try #require(result.service("caddy"))
        #expect(
            caddy.readinessProbe?.check
                == .httpGet(
                    host: "127.0.0.1", port: 2019, path: "/config/", scheme: "http", headers: [:], statusCode: 200))
        #expect(caddy.command == .exec(["caddy", "run", "--config", "/app/Caddyfile", "--adapter", "caddyfile"]))

        // One warning per spot, each with the standard spelling.
        let warnings = result.warnings.map { "\($0.location!.line): \($0.message)" }
        #expect(warnings.count == 8, "\(warnings)")
        #expect(
            warnings.contains {
                $0.hasPrefix("9: processes.restore_db.command: 'sh; -lc; |' is the playbook's inline-shell form")
            })
        #expect(
            warnings.contains {
                $0.hasPrefix(
                    "20: processes.restore_db.availability.restart: 'never' is not a process-compose value; read as 'no'"
                )
            })
        #expect(
            warnings.contains(
                "22: processes.restore_db.readiness_probe.exec.command: a list is not process-compose's form (a string run by the shell); run as an argv without a shell (the standard spelling: command: \"sh -lc 'test -f /data/pb_data.db || exit 0'\")"
            ))
        #expect(
            warnings.contains(
                "49: processes.pocketbase.readiness_probe.http_get.url is not a process-compose key; read as scheme: http, host: 127.0.0.1, port: 30081, path: /api/health (write those keys instead)"
            ))
    }

    /// `restart` accepts always, on_failure, never, or numeric retry counts.
    @Test func numericRetryCounts() {
        let result = loadConfig(
            """
            processes:
              a: {command: x, availability: {restart: 3}}
              b: {command: x, availability: {restart: "2", max_restarts: 5}}
              c: {command: x, availability: {restart: 0}}
            """)
        #expect(result.errors.isEmpty)
        #expect(result.service("a")?.availability.restart == .onFailure)
        #expect(result.service("a")?.availability.maxRestarts == 3)
        #expect(result.service("b")?.availability.maxRestarts == 5)
        #expect(result.service("c")?.availability.restart == RestartPolicy.no)
        #expect(
            result.messages.first
                == "process-compose.yml:2:43: warning: processes.a.availability.restart: a retry count is not a process-compose value; read as on_failure with max_restarts: 3 (write restart: on_failure and max_restarts: 3)"
        )
    }

    @Test func urlsAreSplitAndKeysNextToThemWin() {
        #expect(FieldReader.splitURL("http://[::1]:8080/x?y=1")! == ("http", "::1", "8080", "/x?y=1"))
        #expect(FieldReader.splitURL("http://h")! == ("http", "h", nil, "/"))
        #expect(FieldReader.splitURL("h:80") == nil)
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    readiness_probe:\n      http_get: {url: \"http://h:81/p\", port: 82}\n"
        )
        #expect(
            result.service("a")?.readinessProbe?.check
                == .httpGet(host: "h", port: 82, path: "/p", scheme: "http", headers: [:], statusCode: 200))
        let https = loadConfig(
            "processes:\n  a:\n    command: x\n    readiness_probe:\n      http_get: {url: \"https://h/\"}\n")
        #expect(https.errors.first?.message.contains("'https' is not supported by pcinit") == true)
        #expect(https.errors.first?.location?.line == 5)
    }

    @Test func theInlineShellNeedsItsScript() {
        let result = loadConfig("processes:\n  a:\n    command:\n      - sh; -c; |\n")
        #expect(
            result.messages == [
                "process-compose.yml:4:9: error: processes.a.command[0]: 'sh; -c; |' has no script: put the script's lines below it, indented past the '-'"
            ])
        // Not the form: two items, or a quoted scalar, or something after the bar.
        let plain = loadConfig("processes:\n  a:\n    command:\n      - echo a; |\n        b\n")
        #expect(plain.service("a")?.command == .exec(["echo a; | b"]))
    }

    @Test func scriptLinesKeepInnerBlankLinesAndIndentation() {
        #expect(FieldReader.scriptLines("sh; -c; |\n    a\n\n      b\n    c\n  \n") == "a\n\n  b\nc\n")
    }
}
