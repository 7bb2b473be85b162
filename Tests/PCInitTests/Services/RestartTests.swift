import Foundation
import Glibc
import Testing

/// Restart policies, `max_restarts`, `success_exit_codes` and the doubling backoff, measured from the
/// services' own timestamps.
@Suite("Services: restarts", .timeLimit(.minutes(1)))
struct RestartTests {
    /// Runs the config to its end as PID 1; returns the result and the project (for its scratch files).
    private func runToEnd(_ label: String, _ yaml: String, timeout: Duration = .seconds(30)) async throws -> (
        RunResult, ServiceProject
    ) {
        let project = try ServiceProject(label, yaml)
        defer { project.killLeftovers() }
        let result = try await runPCInit(
            project.arguments(), mode: .pid1, workingDirectory: project.path, timeout: timeout)
        return (result, project)
    }

    @Test(.needsPIDNamespace)
    func onFailureBackoffDoublesFromTheBase() async throws {
        let (result, project) = try await runToEnd(
            "backoff",
            """
            processes:
              flaky:
                command: '\(Snippet.stamp("runs")); exit 1'
                availability:
                  restart: on_failure
                  backoff_seconds: 1
                  max_restarts: 3
            """)
        let runs = project.timestamps("runs")
        #expect(runs.count == 4, "\(result)")
        #expect(result.status == 1, "a failed service: not all succeeded\n\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("flaky exited 1, restarting in 1s"), "\(result)")
        #expect(log.contains("flaky exited 1, restarting in 2s"), "\(result)")
        #expect(log.contains("flaky exited 1, restarting in 4s"), "\(result)")
        #expect(log.contains("flaky exited 1, giving up after 3 restarts"), "\(result)")
        guard runs.count == 4 else { return }
        let gaps = zip(runs.dropFirst(), runs).map { $0 - $1 }
        #expect(gaps[0] >= 0.9 && gaps[0] < 2.0, "first gap \(gaps)")
        #expect(gaps[1] >= 1.6 * gaps[0], "second gap must double: \(gaps)")
        #expect(gaps[2] >= 1.6 * gaps[1], "third gap must double: \(gaps)")
        #expect(gaps[2] < 6, "\(gaps)")
    }

    @Test(.needsPIDNamespace)
    func maxBackoffCapsTheDelay() async throws {
        let (result, project) = try await runToEnd(
            "maxbackoff",
            """
            x-pcinit:
              max_backoff_seconds: 1
            processes:
              flaky:
                command: '\(Snippet.stamp("runs")); exit 2'
                availability:
                  restart: always
                  backoff_seconds: 1
                  max_restarts: 3
            """)
        let runs = project.timestamps("runs")
        #expect(runs.count == 4, "\(result)")
        let gaps = zip(runs.dropFirst(), runs).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.9 && $0 < 1.8 }, "capped at 1 s: \(gaps)")
        #expect(!ServiceRun.messages(in: result.stderr).contains { $0.contains("restarting in 2s") }, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func alwaysRestartsEvenASuccessUntilMaxRestarts() async throws {
        let (result, project) = try await runToEnd(
            "always",
            """
            processes:
              tick:
                command: '\(Snippet.stamp("runs")); exit 0'
                availability:
                  restart: always
                  backoff_seconds: 1
                  max_restarts: 2
            """)
        #expect(project.timestamps("runs").count == 3, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.filter { $0.hasPrefix("tick exited 0, restarting in") }.count == 2, "\(result)")
        #expect(log.contains("tick exited 0, giving up after 2 restarts"), "\(result)")
        // It ended with a success code: the run counts as all succeeded.
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func onFailureDoesNotRestartASuccessOrASuccessExitCode() async throws {
        let (result, project) = try await runToEnd(
            "onfailure",
            """
            processes:
              clean:
                command: '\(Snippet.stamp("clean")); exit 0'
                availability: {restart: on_failure, backoff_seconds: 1}
              tolerated:
                command: '\(Snippet.stamp("tolerated")); exit 3'
                success_exit_codes: [0, 3]
                availability: {restart: on_failure, backoff_seconds: 1}
              crashing:
                command: '\(Snippet.stamp("crashing")); kill -SEGV $$$$'  # $$$$: pcinit expands $$ to $
                availability: {restart: on_failure, backoff_seconds: 1, max_restarts: 1}
            """)
        #expect(project.timestamps("clean").count == 1, "\(result)")
        #expect(project.timestamps("tolerated").count == 1, "\(result)")
        #expect(project.timestamps("crashing").count == 2, "a death by signal is a failure: \(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("tolerated exited 3"), "\(result)")
        #expect(log.contains("crashing killed by SIGSEGV, restarting in 1s"), "\(result)")
        #expect(result.status == 1, "crashing failed for good\n\(result)")
    }

    @Test(.needsPIDNamespace)
    func noNeverRestarts() async throws {
        let (result, project) = try await runToEnd(
            "no",
            """
            processes:
              once:
                command: '\(Snippet.stamp("runs")); exit 1'
                availability: {restart: no, backoff_seconds: 1, max_restarts: 5}
            """)
        #expect(project.timestamps("runs").count == 1, "\(result)")
        #expect(result.status == 1, "\(result)")
        #expect(result.duration < .seconds(10), "restarting would take 1+2+4+8+16 s: \(result)")
    }

    @Test(.needsPIDNamespace)
    func exitOnFailureEndsTheRunWithTheServiceCode() async throws {
        let (result, project) = try await runToEnd(
            "exitonfailure",
            """
            processes:
              critical:
                command: 'sleep 0.3; \(Snippet.stamp("runs")); exit 5'
                availability: {restart: exit_on_failure}
              other:
                command: '\(Snippet.idle)'
            """)
        #expect(project.timestamps("runs").count == 1, "\(result)")
        #expect(result.status == 5, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("stopping all services: critical failed (exit_on_failure)"), "\(result)")
        #expect(log.contains { $0.hasPrefix("other stopped") }, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func exitOnFailureWithASuccessCodeJustCompletes() async throws {
        let project = try ServiceProject(
            "exitonfailureok",
            """
            processes:
              critical:
                command: '\(Snippet.stamp("runs")); exit 5'
                success_exit_codes: [5]
                availability: {restart: exit_on_failure}
              other:
                command: '\(Snippet.idle)'
            """)
        let run = try await ServiceRun.start(project, mode: .pid1)
        defer { run.stop() }
        #expect(await run.waitForMessage("critical exited 5") != nil, "\(run.transcript)")
        // Not a race: pcinit decides when it reaps critical; a wrong stop would begin at once.
        try await Task.sleep(for: .milliseconds(300))
        #expect(run.pcinit.process.isRunning, "a success code must not end the run\n\(run.transcript)")
        run.send(SIGTERM)
        let result = try await run.wait(timeout: .seconds(15))
        #expect(result.status == 0, "\(result)")
    }

    @Test(.needsPIDNamespace)
    func exitOnFailureWithMaxRestartsRetriesThenEndsWithOne() async throws {
        let (result, project) = try await runToEnd(
            "exitonfailuremax",
            """
            processes:
              critical:
                command: '\(Snippet.stamp("runs")); exit 6'
                availability: {restart: exit_on_failure, backoff_seconds: 1, max_restarts: 2}
              other:
                command: '\(Snippet.idle)'
            """)
        #expect(project.timestamps("runs").count == 3, "\(result)")
        #expect(result.status == 1, "\(result)")
        let log = ServiceRun.messages(in: result.stderr)
        #expect(log.contains("critical exited 6, giving up after 2 restarts"), "\(result)")
        #expect(log.contains("stopping all services: critical used up its restarts (exit_on_failure)"), "\(result)")
    }
}
