/// How every process of a service (its command, its exec probes, its shutdown command) is set up between fork
/// and exec. pcinit extensions: `user`, `umask`, `rlimits`, `no_new_privileges`.
public struct ProcessSettings: Sendable, Equatable {
    /// nil: pcinit's own user.
    public var user: ServiceUser?
    /// nil: pcinit's umask.
    public var umask: UInt32?
    /// In the order written; each replaces what pcinit would otherwise give the child for that resource.
    public var resourceLimits: [ResourceLimit]
    public var noNewPrivileges: Bool

    public init(
        user: ServiceUser? = nil, umask: UInt32? = nil, resourceLimits: [ResourceLimit] = [],
        noNewPrivileges: Bool = false
    ) {
        self.user = user
        self.umask = umask
        self.resourceLimits = resourceLimits
        self.noNewPrivileges = noNewPrivileges
    }
}

/// One `rlimits:` entry: soft and hard limit of a resource, `unlimited` as `ResourceLimit.unlimited`.
public struct ResourceLimit: Sendable, Equatable {
    /// RLIM_INFINITY.
    public static let unlimited = UInt64.max

    public var resource: Resource
    public var soft: UInt64
    public var hard: UInt64

    public init(resource: Resource, soft: UInt64, hard: UInt64) {
        self.resource = resource
        self.soft = soft
        self.hard = hard
    }

    /// The resources `setrlimit(2)` knows, by the names `ulimit`, systemd (`LimitNOFILE=`) and dinit use.
    public enum Resource: String, Sendable, Equatable, CaseIterable {
        case addressSpace = "as"
        case core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending
        case stack
    }
}
