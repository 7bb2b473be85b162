import Testing

@testable import InitCore

/// Boolean fields read YAML 1.1's words as go-yaml (process-compose's YAML library) does for a typed bool;
/// everything else keeps the YAML 1.2 core schema.
@Suite struct ConfigBooleanTests {
    func flag(_ value: String, key: String = "is_daemon") -> ConfigLoadResult {
        loadConfig("processes:\n  a:\n    command: x\n    \(key): \(value)\n")
    }

    @Test(arguments: ["yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "true", "True", "TRUE", "\"yes\"", "'on'"])
    func trueForms(_ value: String) {
        let result = flag(value)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.isDaemon == true)
    }

    @Test(arguments: ["no", "No", "NO", "n", "N", "off", "Off", "OFF", "false", "False", "FALSE", "\"no\""])
    func falseForms(_ value: String) {
        let result = flag(value, key: "disabled")
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.disabled == false)
        #expect(result.config?.services.count == 1)
    }

    /// go-yaml rejects a quoted "true" for a bool field (it resolved to a string that is not a 1.1 word).
    @Test func quotedTrueIsATypeError() {
        #expect(
            flag("\"true\"").messages == [
                "process-compose.yml:4:16: error: processes.a.is_daemon: expected true or false, found the string \"true\""
            ])
        #expect(
            flag("maybe").messages == [
                "process-compose.yml:4:16: error: processes.a.is_daemon: expected true or false, found 'maybe'"
            ])
    }

    /// process-compose's own docs write `parent_only: no`.
    @Test func parentOnlyNoFromTheDocs() {
        let result = loadConfig(
            """
            processes:
              nginx:
                command: "docker run --rm --name nginx_test nginx"
                shutdown:
                  command: "docker stop nginx_test"
                  timeout_seconds: 10 # default 10
                  signal: 15 # default 15, but only if the 'command' is not defined or empty
                  parent_only: no  # default no. If yes, only signal the running process instead of its whole process group
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("nginx")?.shutdown.parentOnly == false)
    }

    /// Only boolean fields: `restart: no` is still the policy `no`, and a string field keeps the word.
    @Test func onlyForBooleanFields() {
        let result = loadConfig(
            """
            processes:
              a:
                command: "on"
                description: yes
                availability: {restart: no, exit_on_end: on}
            """)
        #expect(result.diagnostics.isEmpty)
        #expect(result.service("a")?.availability.restart == .no)
        #expect(result.service("a")?.availability.exitOnEnd == true)
        #expect(result.service("a")?.description == "yes")
        #expect(result.service("a")?.command == .shell("on"))
    }

    @Test func topLevelFlags() {
        let result = loadConfig(
            "is_strict: yes\nordered_shutdown: off\nprocesses:\n  a:\n    command: x\n    bogus: 1\n")
        #expect(result.config == nil)
        #expect(result.errors.count == 1)
        let relaxed = loadConfig("ordered_shutdown: off\nprocesses:\n  a:\n    command: x\n")
        #expect(relaxed.config?.orderedShutdown == false)
    }

    @Test func disableEnvExpansionAcceptsYes() {
        let result = loadConfig(
            "disable_env_expansion: yes\nprocesses:\n  a:\n    command: echo ${HOME}\n", environment: ["HOME": "/root"])
        #expect(result.service("a")?.command == .shell("echo ${HOME}"))
    }

    /// A key pcinit cannot honour asks for nothing when it is a 1.1 false.
    @Test func unsupportedKeyWithNoAsksForNothing() {
        #expect(flag("no", key: "watch").diagnostics.isEmpty)
        #expect(flag("off", key: "schedule").diagnostics.isEmpty)
    }
}
