/// The answer of the injected file reader: the core never touches the file system itself.
public enum FileContents: Sendable, Equatable {
    case text(String)
    /// The file does not exist.
    case missing
    /// It exists but could not be read; `reason` is shown to the user (e.g. "permission denied").
    case unreadable(reason: String)
}
