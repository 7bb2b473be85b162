import CInit
import InitCore

/// An exec check: `[shell.command, shell.argument, command]` (or a list `exec.command` as written) in its own
/// process group, with the service's environment, user, umask and limits, stdio on /dev/null and no inherited
/// fds. Success is exit status 0.
final class ExecCheck: RunningCheck {
    private let pid: pid_t
    /// Set once the reaper handed us the exit: from then on the pid (and group id) may belong to someone else.
    private var reaped = false
    private var report: ((Bool, String) -> Void)?

    private init(pid: pid_t, report: @escaping (Bool, String) -> Void) {
        self.pid = pid
        self.report = report
    }

    /// Spawns the check's process; a spawn failure is reported as a failed check. Returns nil if nothing runs.
    static func start(
        runner: ProbeRunner,
        arguments: [String],
        environment: [String],
        workingDirectory: String?,
        process: ProcessSettings = .init(),
        report: @escaping (Bool, String) -> Void
    ) -> ExecCheck? {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        if devNull < 0 {
            report(false, "cannot open /dev/null: \(SystemError.describe(errno))")
            return nil
        }
        defer { close(devNull) }
        var request = SpawnRequest(
            arguments: arguments,
            environment: environment,
            workingDirectory: workingDirectory
        )
        request.newProcessGroup = true
        request.stdinFD = devNull
        request.stdoutFD = devNull
        request.stderrFD = devNull
        request.closeFrom = 3
        request.apply(process)
        let pid: pid_t
        do {
            pid = try Spawner.spawn(request, signals: runner.signals)
        } catch {
            report(false, error.description)
            return nil
        }
        let check = ExecCheck(pid: pid, report: report)
        // The registry keeps the check alive until its process is reaped, even after a timeout or cancel.
        runner.registerChild(pid) { termination in check.exited(termination) }
        return check
    }

    private func exited(_ termination: ChildTermination) {
        // Kill whatever the command left running in its group (`cmd &`): a check leaves nothing behind.
        // Still safe here: the reaper calls us right after waitpid, before anything could reuse the pid.
        kill(-pid, SIGKILL)
        reaped = true
        guard let report else { return }
        self.report = nil
        switch termination {
        case .exited(0): report(true, "exit code 0")
        case .exited(let code): report(false, "exit code \(code)")
        case .signaled: report(false, "\(termination)")
        }
    }

    /// Timeout or cancel: kill the whole group; the exit that follows is reaped but reported to nobody.
    func stop() {
        report = nil
        if !reaped { kill(-pid, SIGKILL) }
    }
}
