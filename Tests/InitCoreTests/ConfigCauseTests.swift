import Foundation
import Testing

@testable import InitCore

/// Diagnostics that say more where the cause is elsewhere than the line shown.
@Suite struct ConfigCauseTests {
    /// Seen: an unset port turned `https://localhost:${UI_PORT} --output-dir` into a mapping key.
    @Test func aYAMLErrorOnALineWithAnEmptyExpansionNamesTheVariable() {
        let yaml = """
            processes:
              e2e:
                command: npx playwright test --ui-port=0 https://localhost:${UI_PORT} --output-dir out
            """
        let result = loadConfig(yaml)
        #expect(result.errors.count == 1)
        #expect(
            result.errors.first?.message.hasSuffix(
                "(note: ${UI_PORT} is not set, so it expanded to nothing on this line)") == true)
        #expect(result.errors.first?.location?.line == 3)
        let empty = loadConfig(yaml, environment: ["UI_PORT": ""])
        #expect(
            empty.errors.first?.message.hasSuffix(
                "(note: ${UI_PORT} is set but empty, so it expanded to nothing on this line)") == true)
        #expect(loadConfig(yaml, environment: ["UI_PORT": "9323"]).diagnostics.isEmpty)
        // A default written out is what the author asked for: no note.
        let defaulted = loadConfig(yaml.replacingOccurrences(of: "${UI_PORT}", with: "${UI_PORT:-}"))
        #expect(defaulted.errors.first?.message.contains("note:") == false)
    }

    @Test func aMissingExtendsFileIsReportedWhereItWasAskedFor() {
        let result = loadConfig(
            "version: \"0.5\"\nextends: ../db/process-compose.yaml\nprocesses:\n  a:\n    command: x\n")
        #expect(
            result.messages == [
                "process-compose.yml:2:10: error: extends: cannot read '../db/process-compose.yaml': no such file"
            ])
    }

    /// `${REDIS_PORT}` where REDIS_PORT is set only under `environment:` expands to nothing (process-compose
    /// does the same); pcinit says so and points at the shell's `$REDIS_PORT`.
    @Test func aVariableSetOnlyInEnvironmentIsNamed() {
        let result = loadConfig(
            """
            processes:
              redis:
                command: redis-server --port ${REDIS_PORT}
                environment:
                  REDIS_PORT: "6380"
              other:
                command: echo ${UNRELATED} ${REDIS_PORT}
            """)
        #expect(
            result.messages == [
                "process-compose.yml:3:34: warning: ${REDIS_PORT} is not set when the file is read, so it expanded to nothing: 'environment:' and 'env_file' set REDIS_PORT for the running service, not for ${…} in the file (process-compose does the same). Write $REDIS_PORT to let the service's shell expand it",
                "process-compose.yml:7:32: warning: ${REDIS_PORT} is not set when the file is read, so it expanded to nothing: 'environment:' and 'env_file' set REDIS_PORT for the running service, not for ${…} in the file (process-compose does the same). Write $REDIS_PORT to let the service's shell expand it",
            ])
        #expect(
            loadConfig(
                "processes:\n  a:\n    command: echo ${X}\n    environment: [X=1]\n", environment: ["X": "2"]
            ).diagnostics.isEmpty)
        // In a comment it changes nothing that is read: no warning.
        #expect(
            loadConfig("processes:\n  a:\n    # uses ${X}\n    command: x # or ${X}\n    environment: [X=1]\n")
                .diagnostics.isEmpty)
    }

    /// process-compose expands a bare `$VAR`; pcinit leaves it for the shell, which a port never has.
    @Test func aBarePortVariableSaysHowToExpandIt() {
        // Modelled on EspressoSystems/espresso-network process-compose.yaml (`port: $ESPRESSO_ORCHESTRATOR_PORT`).
        let result = loadConfig(
            "processes:\n  orchestrator:\n    command: orchestrator\n    readiness_probe:\n      http_get: {port: $ORCHESTRATOR_PORT}\n"
        )
        #expect(
            result.messages == [
                "process-compose.yml:5:24: error: processes.orchestrator.readiness_probe.http_get.port: invalid port '$ORCHESTRATOR_PORT'; expected a number from 1 to 65535 (pcinit expands ${NAME} when it reads the file but leaves a bare $NAME for the shell; write ${ORCHESTRATOR_PORT})"
            ])
    }
}
