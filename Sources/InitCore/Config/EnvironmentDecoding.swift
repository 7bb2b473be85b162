extension FieldReader {
    /// `environment` as a list of `K=V` strings (process-compose) or a mapping (pcinit extension).
    mutating func environment(_ node: ConfigNode?, _ path: String) -> [(String, String)] {
        guard let node, !node.isNull else { return [] }
        var result: [(String, String)] = []
        switch node.content {
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                guard case .scalar(let text, _) = item.content, !item.isNull else {
                    log.error(
                        "\(path)[\(i)]: expected a 'KEY=VALUE' string, found \(item.kindDescription)", at: item.position
                    )
                    continue
                }
                guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                    log.warning("\(path)[\(i)]: '\(text)' is not KEY=VALUE; ignored", at: item.position)
                    continue
                }
                result.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
        case .mapping(let entries):
            for entry in entries {
                guard case .scalar(let text, _) = entry.value.content else {
                    log.error(
                        "\(path).\(entry.key): expected a string, found \(entry.value.kindDescription)",
                        at: entry.value.position)
                    continue
                }
                result.append((entry.key, entry.value.isNull ? "" : text))
            }
        case .scalar:
            log.error(
                "\(path): expected a list of 'KEY=VALUE' strings or a mapping, found \(node.kindDescription)",
                at: node.position)
        }
        return result
    }
}

/// Reads a dotenv file through the injected reader, reporting problems against that file.
struct DotEnvLoader {
    var readFile: (String) -> FileContents
    var environment: [String: String]

    /// nil with an error logged when `required` and the file cannot be read.
    func load(
        _ path: String, required: Bool, origin: SourcePosition?, what: String, log: inout DiagnosticLog
    ) -> [(String, String)]? {
        switch readFile(path) {
        case .text(let text):
            let parsed = DotEnvParser.parse(text) { environment[$0] }
            for problem in parsed.problems {
                log.warning(
                    "\(problem.message); line ignored",
                    at: SourcePosition(file: path, location: SourceLocation(line: problem.line, column: 1)))
            }
            return parsed.variables
        case .missing:
            if required { log.error("\(what): cannot read '\(path)': no such file", at: origin, file: path) }
            return required ? nil : []
        case .unreadable(let reason):
            if required {
                log.error("\(what): cannot read '\(path)': \(reason)", at: origin, file: path)
            } else {
                log.warning("cannot read '\(path)': \(reason)", at: nil, file: path)
            }
            return required ? nil : []
        }
    }
}
