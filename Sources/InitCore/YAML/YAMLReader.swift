/// Entry point of the dependency-free YAML reader (YAML 1.2, core schema, single document).
///
/// Node locations are those of the node's content (after any `&anchor`/`!tag`); an alias's expansion carries
/// the alias's own location at its top, while the nodes inside keep the anchored source's locations.
public enum YAMLReader {
    /// Parses a single YAML document. Returns nil for an empty document (only comments/whitespace/markers).
    /// Ignores the reader's warnings (see the `warnings:` variant): for callers that only want the tree.
    public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        var ignored: [YAMLWarning] = []
        return try parse(text, file: file, warnings: &ignored)
    }

    /// Parses a single YAML document and appends to `warnings` what YAML 1.2 forbids but the reader accepts, as
    /// libyaml does (see `YAMLWarning`). On an error, `warnings` is left as it was: the error is what to report.
    public static func parse(_ text: String, file: String, warnings: inout [YAMLWarning]) throws(YAMLError)
        -> YAMLNode?
    {
        var parser = YAMLParser(text: text, file: file)
        let root = try parser.parseDocument()
        warnings += parser.warnings
        return root
    }
}
