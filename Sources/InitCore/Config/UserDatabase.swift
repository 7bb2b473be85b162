/// The image's `/etc/passwd` and `/etc/group`, parsed by pcinit itself: a static binary cannot use NSS, and a
/// `FROM scratch` image has nothing else. Only local files; NIS `+`/`-` lines and comments are skipped.
public struct UserDatabase: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var gid: UInt32
        public var members: [String]
    }

    public var users: [User]
    public var groups: [Group]

    public init(users: [User] = [], groups: [Group] = []) {
        self.users = users
        self.groups = groups
    }

    /// `name:password:uid:gid:gecos:home:shell` and `name:password:gid:member,member` lines.
    public init(passwd: String, group: String) {
        users = Self.records(passwd).compactMap { fields in
            guard fields.count >= 6, let uid = Self.id(fields[2]), let gid = Self.id(fields[3]) else { return nil }
            return User(name: fields[0], uid: uid, gid: gid, home: fields[5])
        }
        groups = Self.records(group).compactMap { fields in
            guard fields.count >= 3, let gid = Self.id(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return Group(name: fields[0], gid: gid, members: members)
        }
    }

    public func user(named name: String) -> User? { users.first { $0.name == name } }
    public func user(id: UInt32) -> User? { users.first { $0.uid == id } }
    public func group(named name: String) -> Group? { groups.first { $0.name == name } }

    /// The groups that list `name` as a member (the supplementary groups `initgroups` would give).
    public func groups(listing name: String) -> [UInt32] {
        groups.filter { $0.members.contains(name) }.map { $0.gid }
    }

    private static func records(_ text: String) -> [[String]] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first != "#", first != "+", first != "-" else { return nil }
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            return fields[0].isEmpty ? nil : fields
        }
    }

    /// A uid or gid: decimal, below 2^32 - 1 (which means "no change" to setresuid).
    static func id(_ text: some StringProtocol) -> UInt32? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt32(text),
            value != UInt32.max
        else { return nil }
        return value
    }
}

/// The account a service runs as, resolved from `user:` at load time.
public struct ServiceUser: Sendable, Equatable {
    /// As written: `nobody`, `1234:2345`, `app:staff`.
    public var spec: String
    /// The passwd entry's name, if the user has one.
    public var name: String?
    public var uid: UInt32
    public var gid: UInt32
    /// Supplementary groups (the primary group first), set with setgroups.
    public var groups: [UInt32]
    /// The passwd entry's home directory; nil without an entry.
    public var home: String?

    public init(spec: String, name: String?, uid: UInt32, gid: UInt32, groups: [UInt32], home: String?) {
        self.spec = spec
        self.name = name
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.home = home
    }

    /// HOME, USER and LOGNAME as login would set them; the service's own environment overrides these.
    /// Without a passwd entry HOME is `/` (as Docker does) and USER/LOGNAME are not set.
    public var environment: [(String, String)] {
        var result = [("HOME", home ?? "/")]
        if let name { result += [("USER", name), ("LOGNAME", name)] }
        return result
    }
}

extension UserDatabase {
    /// `NAME`, `UID`, `NAME:GROUP`, `UID:GID` (either side by name or number). A bare UID needs a passwd
    /// entry for its group; numbers with a group need none. Returns the resolved user, or why not.
    public func resolve(_ spec: String) -> Result<ServiceUser, UserSpecError> {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty else {
            return .failure(.malformed(spec))
        }
        let userPart = String(parts[0])
        let entry: User?
        let uid: UInt32
        if let number = Self.id(userPart) {
            entry = user(id: number)
            uid = number
        } else if userPart.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return .failure(.idOutOfRange(userPart))
        } else if let found = user(named: userPart) {
            entry = found
            uid = found.uid
        } else {
            return .failure(.unknownUser(userPart))
        }
        var gid: UInt32
        if parts.count == 2 {
            let groupPart = String(parts[1])
            if let number = Self.id(groupPart) {
                gid = number
            } else if groupPart.allSatisfy({ $0.isASCII && $0.isNumber }) {
                return .failure(.idOutOfRange(groupPart))
            } else if let found = group(named: groupPart) {
                gid = found.gid
            } else {
                return .failure(.unknownGroup(groupPart))
            }
        } else if let entry {
            gid = entry.gid
        } else {
            return .failure(.noGroupForID(userPart))
        }
        var groups = [gid]
        if let name = entry?.name {
            for extra in self.groups(listing: name) where !groups.contains(extra) { groups.append(extra) }
        }
        return .success(
            ServiceUser(spec: spec, name: entry?.name, uid: uid, gid: gid, groups: groups, home: entry?.home))
    }
}

/// Why a `user:` value does not name an account.
public enum UserSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unknownUser(String)
    case unknownGroup(String)
    case noGroupForID(String)
    case idOutOfRange(String)

    public var description: String {
        switch self {
        case .malformed(let spec): return "'\(spec)' is not NAME, UID, NAME:GROUP or UID:GID"
        case .unknownUser(let name): return "unknown user '\(name)' (not in /etc/passwd)"
        case .unknownGroup(let name): return "unknown group '\(name)' (not in /etc/group)"
        case .noGroupForID(let id):
            return "uid \(id) has no /etc/passwd entry to take its group from; write '\(id):GID'"
        case .idOutOfRange(let id): return "id \(id) is out of range"
        }
    }
}
