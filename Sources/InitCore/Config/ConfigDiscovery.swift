extension ConfigLoader {
    /// Names looked for in the working directory when no file is given, first match wins.
    /// process-compose also looks for `compose.yml`/`compose.yaml` first; pcinit does not, because
    /// in a container that name is usually a docker-compose file, and picking it up would turn
    /// `pcinit COMMAND` (tini mode) into a config error.
    public static let defaultFileNames = ["process-compose.yml", "process-compose.yaml"]
    /// Override files added after the discovered one, as process-compose does (first match wins).
    public static let defaultOverrideFileNames = ["process-compose.override.yml", "process-compose.override.yaml"]

    /// The config files to load: the `-f` files; else `PCINIT_CONFIG`, else `PC_CONFIG_FILES` (both
    /// comma-separated, as process-compose splits its variable); else the default names in the
    /// working directory (relative names; `exists` is asked about them), plus an override file.
    /// Empty when nothing is found: pcinit then runs in command mode.
    public static func discover(explicitFiles: [String], environment: [String: String], exists: (String) -> Bool)
        -> [String]
    {
        if !explicitFiles.isEmpty { return explicitFiles }
        for variable in ["PCINIT_CONFIG", "PC_CONFIG_FILES"] {
            if let value = environment[variable], !value.isEmpty {
                let files = value.split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
                if !files.isEmpty { return files }
            }
        }
        guard let main = defaultFileNames.first(where: exists) else { return [] }
        return [main] + (defaultOverrideFileNames.first(where: exists).map { [$0] } ?? [])
    }
}
