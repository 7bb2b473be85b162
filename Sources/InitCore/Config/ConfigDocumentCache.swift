/// The trees of the config files the last load parsed, by file, with the exact text each came from. A reload
/// whose files did not change (the common case: a rotated `env_file` secret) reuses them and skips the YAML
/// reader, about a quarter of a 500-service reload. Only clean parses are kept, so an error is always found and
/// worded afresh; each load keeps only the files it read, so the cache never outgrows the config.
public struct ConfigDocumentCache: Sendable {
    struct Document: Sendable {
        var text: String
        var root: ConfigNode
        /// What parsing it reported (warnings), replayed on a hit exactly as a fresh parse would report them.
        var log: DiagnosticLog
    }

    var documents: [String: Document] = [:]

    public init() {}

    public var isEmpty: Bool { documents.isEmpty }

    func document(file: String, text: String) -> Document? {
        guard let document = documents[file], document.text == text else { return nil }
        return document
    }
}
