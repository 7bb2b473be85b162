import Glibc
import InitCore

/// `pcinit status|start|stop|restart|logs`: each asks the running pcinit over the control socket, prints
/// the answer with write(2) (stdout for results, stderr for errors as `pcinit: …`) and returns the exit code.
public enum ControlCommands {
    /// PCINIT_SOCKET, else /run/pcinit.sock if it exists or /run is writable, else $TMPDIR/pcinit.sock.
    /// The server picks its path the same way, so both ends agree without configuration.
    public static func defaultSocketPath(environment: [String: String]) -> String {
        if let path = environment["PCINIT_SOCKET"], !path.isEmpty { return path }
        let preferred = "/run/pcinit.sock"
        if access(preferred, F_OK) == 0 || access("/run", W_OK) == 0 { return preferred }
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base == "/" ? "/pcinit.sock" : base + "/pcinit.sock"
    }

    /// The table (NAME STATE READY PID RESTARTS EXIT UPTIME), or with `json` the result pretty-printed.
    public static func status(socketPath: String, json: Bool) -> Int32 {
        switch ControlClient.call(socketPath: socketPath, method: ControlMethod.status.rawValue, params: .object([])) {
        case .failure(let error):
            return fail(error)
        case .success(let result):
            if json {
                Log.writeAll(fd: 1, result.rendered(pretty: true) + "\n")
                return 0
            }
            guard let report = StatusReport(json: result) else {
                return fail(.badReply("status reply has no services"))
            }
            Log.writeAll(fd: 1, StatusTable.render(report))
            return 0
        }
    }

    /// One line per service in request order: successes on stdout, failures on stderr; exit 1 if any failed.
    public static func control(socketPath: String, verb: ControlVerb, services: [String]) -> Int32 {
        let params = JSONValue.object([("services", .array(services.map { .string($0) }))])
        switch ControlClient.call(socketPath: socketPath, method: ControlMethod(verb).rawValue, params: params) {
        case .failure(let error):
            return fail(error)
        case .success(let result):
            guard let outcomes = ControlOutcome.outcomes(from: result) else {
                return fail(.badReply("\(verb.rawValue) reply has no results"))
            }
            var code: Int32 = 0
            for outcome in outcomes {
                let message =
                    outcome.message.isEmpty ? "\(outcome.service): \(outcome.ok ? "ok" : "failed")" : outcome.message
                if outcome.ok {
                    Log.writeAll(fd: 1, message + "\n")
                } else {
                    Log.writeAll(fd: 2, "pcinit: " + message + "\n")
                    code = 1
                }
            }
            return code
        }
    }

    /// `name | line`, names padded to one width like the live relay; with `follow`, keeps printing new lines.
    public static func logs(socketPath: String, follow: Bool, lines: Int?, services: [String]) -> Int32 {
        let params = LogsRequest(services: services, lines: lines, follow: follow).params
        // Pad to every service's name, as the relay does, so followed lines stay aligned as new names appear.
        var width = services.map(\.count).max() ?? 0
        if services.isEmpty,
            case .success(let result) = ControlClient.call(
                socketPath: socketPath, method: ControlMethod.status.rawValue, params: .object([])),
            let report = StatusReport(json: result)
        {
            width = report.services.map(\.name.count).max() ?? 0
        }
        if follow {
            let error = ControlClient.follow(socketPath: socketPath, params: params, outputFD: 1) { service, line in
                Log.writeAll(fd: 1, LogEntry(service: service, line: line).formatted(nameWidth: width) + "\n")
            }
            return error.map(fail) ?? 0
        }
        switch ControlClient.call(socketPath: socketPath, method: ControlMethod.logs.rawValue, params: params) {
        case .failure(let error):
            return fail(error)
        case .success(let result):
            guard let entries = LogEntry.entries(from: result) else {
                return fail(.badReply("logs reply has no lines"))
            }
            width = max(width, entries.map(\.service.count).max() ?? 0)
            var text = ""
            for entry in entries { text += entry.formatted(nameWidth: width) + "\n" }
            Log.writeAll(fd: 1, text)
            return 0
        }
    }

    private static func fail(_ error: ControlClientError) -> Int32 {
        Log.writeAll(fd: 2, "pcinit: \(error)\n")
        return 1
    }
}
