import CInit
import InitCore

/// Runs one `env_cmds` command while the config is loaded, before any event loop exists (so blocking here
/// blocks nothing else): its stdout is the value, within the request's time limit, after which its process
/// group is killed. It gets pcinit's environment and working directory and /dev/null as stdin, as
/// process-compose's commands do; stderr is kept for the warning when it fails.
public enum EnvCommandRunner {
    /// Keeps the value and the first line of stderr bounded, whatever the command writes.
    static let maxCapture = 64 * 1024

    public static func run(_ request: EnvCommandRequest, signals: InheritedSignals) -> EnvCommandResult {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        guard pci_pipe2(&out, O_CLOEXEC) == 0 else {
            return .failed("cannot start: pipe: \(SystemError.describe(errno))")
        }
        guard pci_pipe2(&err, O_CLOEXEC) == 0 else {
            close(out[0])
            close(out[1])
            return .failed("cannot start: pipe: \(SystemError.describe(errno))")
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        var spawn = SpawnRequest(arguments: request.arguments, environment: ProcessEnvironment.current())
        spawn.stdinFD = devNull
        spawn.stdoutFD = out[1]
        spawn.stderrFD = err[1]
        spawn.closeFrom = 3
        let pid: pid_t
        do throws(SpawnError) {
            pid = try Spawner.spawn(spawn, signals: signals)
        } catch {
            for fd in [out[0], out[1], err[0], err[1], devNull] where fd >= 0 { close(fd) }
            return .failed("cannot start: \(error)")
        }
        for fd in [out[1], err[1], devNull] where fd >= 0 { close(fd) }
        let deadline = MonotonicClock.now() + request.timeout
        var output: [UInt8] = []
        var errors: [UInt8] = []
        let timedOut = !readBoth(out[0], err[0], into: &output, &errors, until: deadline)
        close(out[0])
        close(err[0])
        // Whatever it left behind in its group goes too; a timed-out command is killed outright.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { return .failed("timed out after \(DurationText.format(request.timeout))") }
        let termination = Reaper.decode(status)
        guard termination == .exited(0) else {
            let firstLine = String(decoding: errors.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            return .failed("\(termination)" + (firstLine.isEmpty ? "" : " (\(firstLine))"))
        }
        return .output(String(decoding: output, as: UTF8.self))
    }

    /// Reads both pipes to their end; false if the deadline came first.
    private static func readBoth(
        _ outFD: Int32, _ errFD: Int32, into output: inout [UInt8], _ errors: inout [UInt8], until deadline: Instant
    ) -> Bool {
        var fds = [
            pollfd(fd: outFD, events: Int16(POLLIN), revents: 0), pollfd(fd: errFD, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while fds.contains(where: { $0.fd >= 0 }) {
            let remaining = deadline - MonotonicClock.now()
            guard remaining > .zero else { return false }
            let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: remaining.millisecondsRoundedUp))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if i == 0 {
                        output += buffer.prefix(min(n, max(0, maxCapture - output.count)))
                    } else {
                        errors += buffer.prefix(min(n, max(0, maxCapture - errors.count)))
                    }
                } else if n == 0 || errno != EINTR {
                    fds[i].fd = -1
                }
            }
        }
        return true
    }
}
