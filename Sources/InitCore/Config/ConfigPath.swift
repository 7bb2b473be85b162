/// Pure path arithmetic for config files (POSIX paths, no file system access).
enum ConfigPath {
    static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// `base/relative`, normalised; an absolute `relative` is returned normalised as is.
    static func join(_ base: String, _ relative: String) -> String {
        if isAbsolute(relative) || base.isEmpty { return normalize(relative) }
        return normalize(base + "/" + relative)
    }

    /// The directory part: `a/b/c.yml` → `a/b`, `c.yml` → `.`, `/c.yml` → `/`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Removes `.` and empty components and resolves `..` lexically.
    static func normalize(_ path: String) -> String {
        let absolute = isAbsolute(path)
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
