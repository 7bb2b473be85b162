import InitCore

/// The config files' parsed trees from the last good load, shared by the first load and every `pcinit reload`
/// and `scale` after it (a reference, as those run from a closure the runtime keeps).
final class ParsedConfigFiles {
    var cache = ConfigDocumentCache()
}
