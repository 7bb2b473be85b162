extension FieldReader {
    /// `readiness_probe` / `liveness_probe` with process-compose's defaults and clamps:
    /// initial delay 0, period 10 (values < 1 → 10), timeout 1 (< 1 → 1), success threshold 1,
    /// failure threshold 3 (< 1 → 3). Negative values are errors (process-compose clamps them).
    /// Check kinds: `exec`, `http_get`, and pcinit's `tcp_socket` (alias `tcp`); when several are
    /// given, `exec` wins over `http_get` over `tcp_socket`, as exec wins upstream.
    mutating func probe(_ node: ConfigNode?, _ path: String, workingDirectory: String) -> ProbeConfig? {
        guard let node, let entries = mapping(node, path, schema: ConfigSchemas.probe) else { return nil }
        var checks: [(key: String, check: ProbeConfig.Check?)] = []
        for entry in entries {
            switch entry.key {
            case "exec":
                checks.append(
                    (
                        entry.key,
                        execCheck(
                            entry.value, "\(path).exec", key: entry.keyPosition, workingDirectory: workingDirectory)
                    ))
            case "http_get": checks.append((entry.key, httpCheck(entry.value, "\(path).http_get")))
            case "tcp_socket", "tcp":
                checks.append((entry.key, tcpCheck(entry.value, "\(path).\(entry.key)", key: entry.keyPosition)))
            default: continue
            }
        }
        let rank = ["exec": 0, "http_get": 1, "tcp_socket": 2, "tcp": 2]
        checks.sort { rank[$0.key]! < rank[$1.key]! }
        guard let chosen = checks.first else {
            log.error("\(path): a probe needs one of 'exec', 'http_get' or 'tcp_socket'", at: node.position)
            return nil
        }
        if checks.count > 1 {
            let others = checks.dropFirst().map { "'\($0.key)'" }.joined(separator: ", ")
            log.warning(
                "\(path): several checks given; using '\(chosen.key)' and ignoring \(others)", at: node.position)
        }
        let initialDelay = nonNegativeInt(node["initial_delay_seconds"], "\(path).initial_delay_seconds") ?? 0
        let period = nonNegativeInt(node["period_seconds"], "\(path).period_seconds") ?? 10
        let timeout = nonNegativeInt(node["timeout_seconds"], "\(path).timeout_seconds") ?? 1
        let success = nonNegativeInt(node["success_threshold"], "\(path).success_threshold") ?? 1
        let failure = nonNegativeInt(node["failure_threshold"], "\(path).failure_threshold") ?? 3
        guard let check = chosen.check else { return nil }
        return ProbeConfig(
            check: check,
            initialDelay: .seconds(initialDelay),
            period: .seconds(period < 1 ? 10 : period),
            timeout: .seconds(timeout < 1 ? 1 : timeout),
            successThreshold: max(success, 1),
            failureThreshold: failure < 1 ? 3 : failure
        )
    }

    private mutating func execCheck(_ node: ConfigNode, _ path: String, key: SourcePosition, workingDirectory: String)
        -> ProbeConfig.Check?
    {
        guard let entries = mapping(node, path, schema: ConfigSchemas.execCheck) else {
            return node.isNull ? missing("\(path).command", at: key) : nil
        }
        _ = entries
        let dir = string(node["working_dir"], "\(path).working_dir").map { ConfigPath.join(workingDirectory, $0) }
        if let list = node["command"], case .sequence = list.content {
            // The playbook's argv form; process-compose's exec.command is a string run by the shell.
            guard let argv = stringList(list, "\(path).command") else { return nil }
            guard !argv.isEmpty else { return missing("\(path).command", at: key) }
            log.warning(
                "\(path).command: a list is not process-compose's form (a string run by the shell); run as an argv "
                    + "without a shell (the standard spelling: command: \(JSONValue.string(ShellWords.quote(argv)).rendered()))",
                at: list.position)
            return .execArguments(argv, workingDir: dir)
        }
        guard let command = string(node["command"], "\(path).command"), !command.isEmpty else {
            return missing("\(path).command", at: key)
        }
        return .exec(command: command, workingDir: dir)
    }

    private mutating func httpCheck(_ node: ConfigNode, _ path: String) -> ProbeConfig.Check? {
        guard mapping(node, path, schema: ConfigSchemas.httpCheck) != nil else { return nil }
        let url = httpURL(node, path)
        if node["url"].map({ !$0.isNull }) ?? false, url == nil { return nil }
        let host = nonEmpty(string(node["host"], "\(path).host")) ?? url?.host ?? "127.0.0.1"
        let scheme = nonEmpty(string(node["scheme"], "\(path).scheme")) ?? url?.scheme ?? "http"
        var urlPath = nonEmpty(string(node["path"], "\(path).path")) ?? url?.path ?? "/"
        if !urlPath.hasPrefix("/") { urlPath = "/" + urlPath }
        var valid = true
        if scheme != "http" {
            // No TLS in a Foundation-free static binary; fail before anything runs rather than at the first probe.
            let message =
                scheme == "https"
                ? "\(path).scheme: 'https' is not supported by pcinit (no TLS); probe the plain-HTTP port or use tcp_socket"
                : "\(path).scheme: invalid value '\(scheme)'; valid values are: http"
            log.error(message, at: node["scheme"]?.position ?? node["url"]?.position)
            valid = false
        }
        // Without a port process-compose builds a URL without one, i.e. port 80.
        let portNode = node["port"]
        let port = portNode.map { $0.isNull } ?? true ? (url?.port ?? 80) : self.port(portNode, "\(path).port")
        var headers: [String: String] = [:]
        if let entries = mapping(node["headers"], "\(path).headers", schema: nil) {
            for entry in entries {
                if let value = string(entry.value, "\(path).headers.\(entry.key)") { headers[entry.key] = value }
            }
        }
        var statusCode = int(node["status_code"], "\(path).status_code") ?? 200
        if statusCode < 1 || statusCode >= 400 {
            log.warning(
                "\(path).status_code: \(statusCode) is outside 1…399; using 200 as process-compose does",
                at: node["status_code"]?.position)
            statusCode = 200
        }
        guard valid, let port else { return nil }
        return .httpGet(host: host, port: port, path: urlPath, scheme: scheme, headers: headers, statusCode: statusCode)
    }

    private mutating func tcpCheck(_ node: ConfigNode, _ path: String, key: SourcePosition) -> ProbeConfig.Check? {
        guard mapping(node, path, schema: ConfigSchemas.tcpCheck) != nil else {
            return node.isNull ? missing("\(path).port", at: key) : nil
        }
        let host = nonEmpty(string(node["host"], "\(path).host")) ?? "127.0.0.1"
        guard node["port"].map({ !$0.isNull }) ?? false else { return missing("\(path).port", at: key) }
        guard let port = port(node["port"], "\(path).port") else { return nil }
        return .tcp(host: host, port: port)
    }

    /// A port as an integer or a numeric string (process-compose's `port` is a string), 1…65535.
    mutating func port(_ node: ConfigNode?, _ path: String) -> Int? {
        guard let text = string(node, path) else { return nil }
        guard let value = Self.parseInt(text), (1...65535).contains(value) else {
            var hint = ""
            if text.hasPrefix("$"), text.dropFirst().first.map({ $0.isLetter || $0 == "_" }) == true {
                // process-compose expands a bare $VAR when it reads the file; pcinit leaves it for the shell.
                hint =
                    " (pcinit expands ${NAME} when it reads the file but leaves a bare $NAME for the shell; write ${\(text.dropFirst())})"
            }
            log.error("\(path): invalid port '\(text)'; expected a number from 1 to 65535\(hint)", at: node?.position)
            return nil
        }
        return value
    }

    /// Reported at the key of the enclosing check (`tcp_socket:`), where the field is missing.
    private mutating func missing<T>(_ path: String, at key: SourcePosition) -> T? {
        log.error("\(path): required", at: key)
        return nil
    }
}

func nonEmpty(_ s: String?) -> String? {
    guard let s, !s.isEmpty else { return nil }
    return s
}
