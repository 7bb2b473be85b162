/// The image's account files as the loader read them, for `user:`. Read once per load, only when a process
/// sets `user`. Resolved at load time: a service started later (a restart, `pcinit start`) keeps the account
/// the config was checked against, even if the image's /etc changed since.
struct UserDatabaseLoad {
    var database: UserDatabase
    /// Why names cannot be looked up ("/etc/passwd does not exist"), shown with an unknown name.
    var problem: String?

    init(passwdPath: String, groupPath: String, readFile: (String) -> FileContents) {
        var problems: [String] = []
        func text(_ path: String) -> String {
            switch readFile(path) {
            case .text(let text): return text
            case .missing: problems.append("\(path) does not exist")
            case .unreadable(let reason): problems.append("cannot read \(path): \(reason)")
            }
            return ""
        }
        database = UserDatabase(passwd: text(passwdPath), group: text(groupPath))
        problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}

/// pcinit's own uid and gid: a `user` other than these needs pcinit to run as root.
public struct ProcessIdentity: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}

extension FieldReader {
    /// `user`, `umask`, `rlimits`, `no_new_privileges` of one process.
    mutating func processSettings(
        _ node: ConfigNode, _ path: String, users: UserDatabaseLoad?, identity: ProcessIdentity?
    ) -> ProcessSettings {
        var settings = ProcessSettings()
        if let userNode = node["user"], let spec = string(userNode, "\(path).user") {
            settings.user = user(spec, at: userNode.position, "\(path).user", users: users, identity: identity)
        }
        if let umaskNode = node["umask"], let text = string(umaskNode, "\(path).umask") {
            settings.umask = Self.parseUmask(text)
            if settings.umask == nil {
                log.error(
                    "\(path).umask: invalid umask '\(text)'; write it in octal, e.g. \"0027\" or \"0077\"",
                    at: umaskNode.position)
            }
        }
        settings.resourceLimits = resourceLimits(node["rlimits"], "\(path).rlimits")
        settings.noNewPrivileges = bool(node["no_new_privileges"], "\(path).no_new_privileges") ?? false
        return settings
    }

    private mutating func user(
        _ spec: String, at position: SourcePosition, _ path: String, users: UserDatabaseLoad?,
        identity: ProcessIdentity?
    ) -> ServiceUser? {
        let database = users?.database ?? UserDatabase()
        switch database.resolve(spec) {
        case .failure(let problem):
            var message = "\(path): \(problem)"
            if let note = users?.problem { message += " (\(note))" }
            log.error(message, at: position)
            return nil
        case .success(let user):
            if let identity, identity.uid != 0, identity.uid != user.uid || identity.gid != user.gid {
                log.error(
                    "\(path): pcinit runs as \(identity.uid):\(identity.gid), not as root, so it cannot run a service as \(user.uid):\(user.gid)",
                    at: position)
                return nil
            }
            return user
        }
    }

    /// Always octal, as `umask` and `chmod` write it, whatever YAML would make of `0027`: `"0027"`, `027`, `0o27`.
    static func parseUmask(_ text: String) -> UInt32? {
        let digits = text.hasPrefix("0o") ? text.dropFirst(2) : Substring(text)
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ ("0"..."7").contains($0) }),
            let value = UInt32(digits, radix: 8), value <= 0o777
        else { return nil }
        return value
    }

    /// `rlimits: {nofile: 4096, core: 0, stack: {soft: N, hard: M}, memlock: unlimited}`.
    private mutating func resourceLimits(_ node: ConfigNode?, _ path: String) -> [ResourceLimit] {
        guard let entries = mapping(node, path, schema: nil) else { return [] }
        var result: [ResourceLimit] = []
        for entry in entries {
            let itemPath = "\(path).\(entry.key)"
            guard let resource = ResourceLimit.Resource(rawValue: entry.key) else {
                let names = ResourceLimit.Resource.allCases.map { $0.rawValue }.joined(separator: ", ")
                log.error(
                    "\(path): unknown resource '\(entry.key)'; valid resources are: \(names)", at: entry.keyPosition)
                continue
            }
            if result.contains(where: { $0.resource == resource }) { result.removeAll { $0.resource == resource } }
            if entry.value.entries != nil {
                guard mapping(entry.value, itemPath, schema: ConfigSchemas.resourceLimit) != nil else { continue }
                guard let softNode = entry.value["soft"], let hardNode = entry.value["hard"] else {
                    log.error("\(itemPath): give both 'soft' and 'hard'", at: entry.value.position)
                    continue
                }
                guard let soft = limitValue(softNode, "\(itemPath).soft"),
                    let hard = limitValue(hardNode, "\(itemPath).hard")
                else { continue }
                guard soft <= hard else {
                    log.error("\(itemPath): the soft limit is above the hard limit", at: entry.value.position)
                    continue
                }
                result.append(ResourceLimit(resource: resource, soft: soft, hard: hard))
            } else if let value = limitValue(entry.value, itemPath) {
                result.append(ResourceLimit(resource: resource, soft: value, hard: value))
            }
        }
        return result
    }

    /// A non-negative integer, or `unlimited` / `infinity`.
    private mutating func limitValue(_ node: ConfigNode, _ path: String) -> UInt64? {
        if case .scalar(let text, _) = node.content, ["unlimited", "infinity"].contains(text.lowercased()) {
            return ResourceLimit.unlimited
        }
        guard let value = nonNegativeInt(node, path) else { return nil }
        return UInt64(value)
    }

    /// `log_location` with `log_configuration.rotation` and `truncate_log`; the path is joined to pcinit's
    /// directory, `{PC_REPLICA_NUM}` is replaced per replica later.
    mutating func logFile(_ node: ConfigNode, _ path: String, workingDirectory: String) -> LogFileConfig? {
        let configuration = node["log_configuration"]
        var rotation: ConfigNode?
        if mapping(configuration, "\(path).log_configuration", schema: ConfigSchemas.logConfiguration) != nil {
            rotation = configuration?["rotation"]
        }
        var file = LogFileConfig(path: "")
        if mapping(rotation, "\(path).log_configuration.rotation", schema: ConfigSchemas.logRotation) != nil {
            let rotationPath = "\(path).log_configuration.rotation"
            if let megabytes = nonNegativeInt(rotation?["max_size_mb"], "\(rotationPath).max_size_mb"), megabytes > 0 {
                // Clamped: a count of megabytes past Int.max bytes trapped; it means no practical limit.
                file.maxBytes = megabytes > Int.max >> 20 ? Int.max : megabytes << 20
            }
            if let backups = nonNegativeInt(rotation?["max_backups"], "\(rotationPath).max_backups"), backups > 0 {
                file.maxBackups = backups
            }
        }
        file.truncate = bool(node["truncate_log"], "\(path).truncate_log") ?? false
        guard let location = nonEmpty(string(node["log_location"], "\(path).log_location")) else {
            if let configuration, !configuration.asksForNothing {
                log.warning("\(path).log_configuration: no 'log_location'; ignored", at: configuration.position)
            }
            return nil
        }
        file.path = ConfigPath.join(workingDirectory, location)
        return file
    }
}

extension LogFileConfig {
    /// process-compose's rule: `{PC_REPLICA_NUM}` is replaced; with several replicas and no placeholder, `.N`
    /// is appended.
    func forReplica(_ index: Int, of count: Int) -> LogFileConfig {
        var copy = self
        let placeholder = "{PC_REPLICA_NUM}"
        if path.containsText(placeholder) {
            copy.path = path.replacingText(placeholder, with: String(index))
        } else if count > 1 {
            copy.path = path + ".\(index)"
        }
        return copy
    }
}
