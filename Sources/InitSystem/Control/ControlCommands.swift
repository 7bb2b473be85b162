import CInit
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
        return outcomes(of: ControlMethod(verb), params: params, socketPath: socketPath)
    }

    /// `name | line`, names padded to one width like the live relay; with `follow`, keeps printing new lines.
    public static func logs(socketPath: String, follow: Bool, lines: Int?, services: [String]) -> Int32 {
        let params = LogsRequest(services: services, lines: lines, follow: follow).params
        // Pad to every service's name, as the relay does, so followed lines stay aligned as new names appear.
        var width = services.map { $0.count }.max() ?? 0
        if services.isEmpty,
            case .success(let result) = ControlClient.call(
                socketPath: socketPath, method: ControlMethod.status.rawValue, params: .object([])),
            let report = StatusReport(json: result)
        {
            width = report.services.map { $0.name.count }.max() ?? 0
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
            width = max(width, entries.map { $0.service.count }.max() ?? 0)
            var text = ""
            for entry in entries { text += entry.formatted(nameWidth: width) + "\n" }
            Log.writeAll(fd: 1, text)
            return 0
        }
    }

    /// `pcinit reload`: one line per service it touched; the config's errors (exit 2) or a refusal (exit 1).
    public static func reload(socketPath: String) -> Int32 {
        switch ControlClient.call(
            socketPath: socketPath, method: ControlMethod.reload.rawValue, params: .object([]), timeoutSeconds: 30)
        {
        case .failure(.server(let code, let message)) where code == ControlError.configInvalid:
            Log.writeAll(fd: 2, "pcinit: \(message)\n")
            return 2
        case .failure(let error):
            return fail(error)
        case .success(let result):
            guard let outcomes = ControlOutcome.outcomes(from: result) else {
                return fail(.badReply("reload reply has no results"))
            }
            if outcomes.isEmpty { Log.writeAll(fd: 1, "nothing changed\n") }
            return printOutcomes(outcomes)
        }
    }

    /// `pcinit scale NAME=N`.
    public static func scale(socketPath: String, service: String, replicas: Int) -> Int32 {
        let params = JSONValue.object([("service", .string(service)), ("replicas", .int(Int64(replicas)))])
        return outcomes(of: ControlMethod.scale, params: params, socketPath: socketPath)
    }

    /// `pcinit signal NAME SIGNAL`.
    public static func signal(socketPath: String, service: String, signal: Int32) -> Int32 {
        let params = JSONValue.object([("service", .string(service)), ("signal", .int(Int64(signal)))])
        return outcomes(of: ControlMethod.signal, params: params, socketPath: socketPath)
    }

    /// `pcinit down`: returns once pcinit has exited; 0 when it shut down cleanly (exit code 0), else 1.
    public static func down(socketPath: String) -> Int32 {
        var exitCode: Int64?
        let error = ControlClient.stream(
            socketPath: socketPath, method: ControlMethod.down.rawValue, params: .object([]),
            onResult: { result in
                if let message = result["message"]?.stringValue { Log.writeAll(fd: 1, message + "\n") }
                return nil
            },
            onNotification: { method, params in
                guard method == ServiceEvent.exitedMethod else { return true }
                exitCode = params["code"]?.intValue
                // Keep reading: the connection closes when pcinit's process is gone.
                return true
            })
        if let error { return fail(error) }
        guard let exitCode else {
            Log.writeAll(fd: 2, "pcinit: the connection closed before pcinit said how it ended\n")
            return 1
        }
        Log.writeAll(fd: 1, "pcinit exited \(exitCode)\n")
        return exitCode == 0 ? 0 : 1
    }

    /// `pcinit events [--json] [NAME...]`: a snapshot line per service, then one per transition, until pcinit
    /// exits (0), or it drops us for falling behind (1).
    public static func events(socketPath: String, json: Bool, services: [String]) -> Int32 {
        let params = JSONValue.object([("services", .array(services.map { .string($0) }))])
        var dropped: String?
        func show(_ value: JSONValue) {
            if json {
                Log.writeAll(fd: 1, value.rendered() + "\n")
            } else if let event = ServiceEvent(json: value) {
                Log.writeAll(fd: 1, event.line + "\n")
            }
        }
        let error = ControlClient.stream(
            socketPath: socketPath, method: ControlMethod.events.rawValue, params: params, outputFD: 1,
            onResult: { result in
                guard let snapshot = result["events"]?.arrayValue else {
                    return .badReply("events reply has no events")
                }
                for event in snapshot { show(event) }
                return nil
            },
            onNotification: { method, params in
                switch method {
                case ServiceEvent.notificationMethod:
                    show(params)
                    return true
                case ServiceEvent.droppedMethod:
                    dropped = params["message"]?.stringValue ?? "dropped"
                    return false
                default:
                    return true
                }
            })
        if let error { return fail(error) }
        if let dropped {
            Log.writeAll(fd: 2, "pcinit: \(dropped)\n")
            return 1
        }
        return 0
    }

    private static func outcomes(of method: ControlMethod, params: JSONValue, socketPath: String) -> Int32 {
        switch ControlClient.call(socketPath: socketPath, method: method.rawValue, params: params) {
        case .failure(let error):
            return fail(error)
        case .success(let result):
            guard let outcomes = ControlOutcome.outcomes(from: result) else {
                return fail(.badReply("\(method.rawValue) reply has no results"))
            }
            return printOutcomes(outcomes)
        }
    }

    /// Successes on stdout, failures on stderr; 1 if any failed.
    private static func printOutcomes(_ outcomes: [ControlOutcome]) -> Int32 {
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

    private static func fail(_ error: ControlClientError) -> Int32 {
        Log.writeAll(fd: 2, "pcinit: \(error)\n")
        return 1
    }
}
