import Testing

@testable import InitCore

@Suite struct ConfigLoaderEnvironmentTests {
    @Test func layersFollowProcessComposePrecedence() throws {
        let result = loadConfig(
            """
            environment:
              - LAYER=top
              - TOP=1
            processes:
              api:
                command: x
                working_dir: /srv/api
                env_file: api.env
                environment:
                  LAYER: service
                  EMPTY:
            """,
            files: ["/app/.env": "LAYER=dotenv\nDOT=1\n", "/srv/api/api.env": "LAYER=env_file\nFILE=1\n"])
        #expect(result.diagnostics.isEmpty)
        let env = try #require(result.service("api")?.environment)
        #expect(
            env.belowInherited.map { "\($0.0)=\($0.1)" } == [
                "PC_PROC_NAME=api", "PC_REPLICA_NUM=0", "LAYER=dotenv", "DOT=1",
            ])
        #expect(
            env.aboveInherited.map { "\($0.0)=\($0.1)" } == [
                "LAYER=top", "TOP=1", "LAYER=env_file", "FILE=1", "LAYER=service", "EMPTY=",
            ])
        // The inherited environment overrides .env but not what the file sets.
        #expect(
            env.resolved(inherited: [("DOT", "os"), ("LAYER", "os"), ("PATH", "/bin")])
                == [
                    "PC_PROC_NAME=api", "PC_REPLICA_NUM=0", "LAYER=service", "DOT=os", "PATH=/bin", "TOP=1", "FILE=1",
                    "EMPTY=",
                ])
    }

    @Test func dotenvCanBeDisabledPerProcess() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    is_dotenv_disabled: true\n", files: ["/app/.env": "DOT=1\n"])
        #expect(result.service("a")?.environment.belowInherited.map(\.0) == ["PC_PROC_NAME", "PC_REPLICA_NUM"])
    }

    @Test func envFileIsRelativeToPcinitsDirectoryWithoutWorkingDir() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    env_file: conf/a.env\n", files: ["/app/conf/a.env": "A=1\n"])
        #expect(result.service("a")?.environment.aboveInherited.map(\.0) == ["A"])
    }

    @Test func missingOrUnreadableEnvFileIsAnError() {
        let missing = loadConfig("processes:\n  a:\n    command: x\n    env_file: nope.env\n")
        #expect(
            missing.messages == [
                "process-compose.yml:4:15: error: processes.a.env_file: cannot read '/app/nope.env': no such file"
            ])
        var harness = ConfigTestHarness(
            "processes:\n  a:\n    command: x\n    env_file: secret.env\n", files: ["/app/secret.env": "A=1"])
        harness.unreadable = ["/app/secret.env"]
        #expect(
            harness.load().messages == [
                "process-compose.yml:4:15: error: processes.a.env_file: cannot read '/app/secret.env': permission denied"
            ])
    }

    @Test func envFileProblemsPointIntoThatFile() {
        let result = loadConfig(
            "processes:\n  a:\n    command: x\n    env_file: a.env\n", files: ["/app/a.env": "A=1\noops\n"])
        #expect(result.messages == ["/app/a.env:2:1: warning: expected KEY=VALUE; line ignored"])
    }

    @Test func environmentEntryWithoutEqualsIsIgnoredWithAWarning() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    environment:\n      - JUSTNAME\n      - B=1=2\n")
        #expect(
            result.messages == [
                "process-compose.yml:5:9: warning: processes.a.environment[0]: 'JUSTNAME' is not KEY=VALUE; ignored"
            ])
        #expect(result.service("a")?.environment.aboveInherited.map { "\($0.0)=\($0.1)" } == ["B=1=2"])
    }

    @Test func expansionUsesDotEnvBeforeTheProcessEnvironment() {
        let result = loadConfig(
            """
            processes:
              a:
                command: "echo ${WHO} ${PORT:-80} ${UNSET} $$HOME $LATER"
            """,
            files: ["/app/.env": "WHO=dotenv\n"], environment: ["WHO": "os", "PORT": "8080"])
        #expect(result.service("a")?.command == .shell("echo dotenv 8080  $HOME $LATER"))
    }

    @Test func expansionCanFillNonStringFields() {
        let result = loadConfig("processes:\n  a:\n    command: x\n    replicas: ${COUNT:-2}\n", environment: [:])
        #expect(result.config?.services.map(\.name) == ["a-0", "a-1"])
    }

    @Test func malformedExpansionIsAnErrorWithPosition() {
        let result = loadConfig("processes:\n  a:\n    command: \"echo ${OOPS\"\n")
        #expect(result.messages == ["process-compose.yml:3:20: error: unterminated '${' (no closing '}' on this line)"])
    }

    @Test func disableEnvExpansionKeepsTheRawText() {
        let result = loadConfig(
            """
            disable_env_expansion: true
            processes:
              a:
                command: "echo ${HOME} $$ ${BROKEN"
            """, environment: ["HOME": "/root"])
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.command == .shell("echo ${HOME} $$ ${BROKEN"))
    }

    @Test func unreadableDotEnvIsOnlyAWarning() {
        var harness = ConfigTestHarness("processes:\n  a:\n    command: x\n", files: ["/app/.env": "A=1"])
        harness.unreadable = ["/app/.env"]
        let result = harness.load()
        #expect(result.config != nil)
        #expect(result.messages == ["/app/.env: warning: cannot read '/app/.env': permission denied"])
    }

    /// `-e FILE` (process-compose's flag) replaces the `.env` next to the config; later files win.
    @Test func envFilesFromTheCommandLine() {
        var harness = ConfigTestHarness(
            "processes:\n  a:\n    command: echo ${A} ${B}\n",
            files: ["/app/.env": "A=dotenv\nB=dotenv\n", "/app/one.env": "A=one\nB=one\n", "/app/two.env": "B=two\n"])
        var loader = harness.loader
        loader.envFiles = ["one.env", "two.env"]
        let result = loader.load(files: ["process-compose.yml"])
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.command == .shell("echo one two"))
        #expect(
            result.service("a")?.environment.resolved(inherited: [])
                == ["PC_PROC_NAME=a", "PC_REPLICA_NUM=0", "A=one", "B=two"])
        harness.files["/app/process-compose.yml"] = "processes:\n  a:\n    command: x\n"
        loader = harness.loader
        loader.envFiles = ["missing.env"]
        #expect(
            loader.load(files: ["process-compose.yml"]).messages == [
                "/app/missing.env: error: -e: cannot read '/app/missing.env': no such file"
            ])
    }
}
