/// Forms our users' playbook writes that process-compose rejects or misreads. pcinit runs them as meant and
/// warns once per spot with the standard spelling (README, "Differences from process-compose").
extension FieldReader {
    /// `availability.restart`: `never` means `no`; a number N (the playbook's "numeric retry counts") means
    /// `on_failure` with `max_restarts: N`, unless `max_restarts` is given too (then that count wins).
    mutating func restartPolicy(_ availability: ConfigNode, _ path: String) -> (RestartPolicy, maxRestarts: Int?) {
        let node = availability["restart"]
        if let node, case .scalar(let text, _) = node.content, !node.isNull {
            if text == "never" {
                log.warning(
                    "\(path).restart: 'never' is not a process-compose value; read as 'no' (write restart: \"no\")",
                    at: node.position)
                return (.no, nil)
            }
            if let count = Int(text), count >= 0 {
                guard count > 0 else {
                    log.warning(
                        "\(path).restart: 0 retries is read as 'no' (write restart: \"no\")", at: node.position)
                    return (.no, nil)
                }
                let explicit = availability["max_restarts"].map { !$0.isNull } ?? false
                log.warning(
                    "\(path).restart: a retry count is not a process-compose value; read as on_failure with "
                        + "max_restarts: \(count) (write restart: on_failure and max_restarts: \(count))"
                        + (explicit ? "; the max_restarts given wins" : ""),
                    at: node.position)
                return (.onFailure, explicit ? nil : count)
            }
        }
        let policy = enumValue(
            node, "\(path).restart", allowed: [RestartPolicy.no, .always, .onFailure, .exitOnFailure])
        return (policy ?? .no, nil)
    }

    /// The playbook's inline shell: a `command` list whose one item is a plain scalar `PROGRAM; ARG; |`
    /// followed by more-indented lines means `[PROGRAM, ARG, SCRIPT]`, SCRIPT keeping its lines (a YAML reader
    /// folds them into one line, which would run a broken script). nil when the list is not that form.
    mutating func inlineShellCommand(_ list: ConfigNode, _ path: String) -> CommandSpec? {
        guard case .sequence(let items) = list.content, items.count == 1, let item = items.first,
            case .scalar(let folded, .plain) = item.content
        else { return nil }
        let firstLine = item.sourceText.map { String($0.prefix { $0 != "\n" }) } ?? folded
        let trimmed = Substring(firstLine).trimmingSpaces()
        guard trimmed.hasSuffix("|") else { return nil }
        // `sh; -lc; |` splits into ["sh", "-lc", ""]: the last (empty) piece is where the `|` stood.
        let words = trimmed.dropLast().split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces()
        }
        guard words.count >= 2, words.last?.isEmpty == true,
            words.dropLast().allSatisfy({ !$0.isEmpty && !$0.contains(" ") })
        else { return nil }
        let program = words.dropLast().map(String.init)
        guard let source = item.sourceText else {
            log.error(
                "\(path)[0]: '\(folded)' has no script: put the script's lines below it, indented past the '-'",
                at: item.position)
            return .exec(program)
        }
        let script = Self.scriptLines(source)
        let argv = program.map { "\"\($0)\"" }.joined(separator: ", ")
        log.warning(
            "\(path): '\(trimmed)' is the playbook's inline-shell form, not process-compose's (which would run the "
                + "lines folded into one); read as [\(argv), SCRIPT] with the script's \(script.count { $0 == "\n" }) "
                + "lines kept (the standard spelling: command: |, the script's lines below it)",
            at: item.position)
        return .exec(program + [script])
    }

    /// The lines after the first of a plain scalar's source, with their common indentation removed, blank lines
    /// kept inside and dropped at the end, ending in one line break (as a `|` block scalar would read them).
    static func scriptLines(_ source: String) -> String {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map {
            $0.last == "\r" ? $0.dropLast() : $0
        }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        let indents = lines.filter { !$0.allSatisfy { $0 == " " } }.map { $0.prefix { $0 == " " }.count }
        let indent = indents.min() ?? 0
        return lines.map { $0.count >= indent ? String($0.dropFirst(indent)) : "" }.joined(separator: "\n") + "\n"
    }

    /// `http_get: {url: "http://127.0.0.1:8080/health"}`: scheme, host, port and path from the URL; keys given
    /// next to it win. nil (with an error) when the URL cannot be read.
    mutating func httpURL(_ node: ConfigNode, _ path: String)
        -> (scheme: String, host: String, port: Int?, path: String)?
    {
        guard let urlNode = node["url"], let url = string(urlNode, "\(path).url") else { return nil }
        guard let parts = Self.splitURL(url) else {
            log.error(
                "\(path).url: cannot read '\(url)' as a URL; write scheme://host[:port][/path], or use host, port and path",
                at: urlNode.position)
            return nil
        }
        let port = parts.port.map { ", port: \($0)" } ?? ""
        log.warning(
            "\(path).url is not a process-compose key; read as scheme: \(parts.scheme), host: \(parts.host)\(port), "
                + "path: \(parts.path) (write those keys instead)",
            at: urlNode.position)
        guard let portText = parts.port else { return (parts.scheme, parts.host, nil, parts.path) }
        guard let number = Int(portText), (1...65535).contains(number) else {
            log.error(
                "\(path).url: invalid port '\(portText)'; expected a number from 1 to 65535", at: urlNode.position)
            return nil
        }
        return (parts.scheme, parts.host, number, parts.path)
    }

    /// `scheme://host[:port][/path?query]`, the host possibly `[v6]`.
    static func splitURL(_ url: String) -> (scheme: String, host: String, port: String?, path: String)? {
        guard let schemeEnd = url.firstIndex(of: ":"), url[schemeEnd...].hasPrefix("://") else { return nil }
        let scheme = url[..<schemeEnd].lowercased()
        let rest = url[url.index(schemeEnd, offsetBy: 3)...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        guard !scheme.isEmpty, !host.isEmpty, !host.contains("@") else { return nil }
        return (scheme, String(host), port.map(String.init), target)
    }
}

/// Quoting argv for a POSIX shell, to show the standard spelling of a list in a warning.
enum ShellWords {
    static func quote(_ words: [String]) -> String {
        words.map { word in
            let safe =
                !word.isEmpty
                && word.unicodeScalars.allSatisfy { s in
                    ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
                        || "-_./=:,+@%".unicodeScalars.contains(s)
                }
            if safe { return word }
            return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
