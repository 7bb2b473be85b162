/// Entry point of the dependency-free YAML reader (YAML 1.2, core schema, single document).
///
/// Node locations are those of the node's content (after any `&anchor`/`!tag`); an alias's expansion carries
/// the alias's own location at its top, while the nodes inside keep the anchored source's locations.
public enum YAMLReader {
    /// Parses a single YAML document. Returns nil for an empty document (only comments/whitespace/markers).
    public static func parse(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        var parser = YAMLParser(text: text, file: file)
        return try parser.parseDocument()
    }
}
