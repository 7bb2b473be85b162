import CInit
import InitCore

/// pcinit's own file-descriptor limit, and what its children get. An init that runs out of descriptors goes
/// deaf (no health answers, no control socket), so pcinit raises its soft RLIMIT_NOFILE to the hard limit
/// at start; every child still gets the soft limit pcinit was started with, because some programs (select()
/// users, old daemons) misbehave with a huge one. Go does the same since 1.19.
public enum ResourceLimits {
    /// Applied in every child before exec. Set once, by `raiseOpenFilesLimit()`, before anything is spawned.
    nonisolated(unsafe) public private(set) static var forChildren: [pci_rlimit_setting] = []

    /// Raises the soft limit to the hard one; returns (before, after) soft limits, or nil if nothing changed.
    @discardableResult
    public static func raiseOpenFilesLimit() -> (before: UInt64, after: UInt64)? {
        var soft: UInt64 = 0
        var hard: UInt64 = 0
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        guard pci_get_rlimit(resource, &soft, &hard) == 0, soft < hard else { return nil }
        guard pci_set_rlimit(resource, hard, hard) == 0 else { return nil }
        forChildren = [pci_rlimit_setting(resource: resource, soft: soft, hard: hard)]
        return (soft, hard)
    }

    /// `base` with every resource that `overrides` names replaced by the override (a service's own limits win).
    public static func merged(_ base: [pci_rlimit_setting], _ overrides: [pci_rlimit_setting]) -> [pci_rlimit_setting] {
        guard !overrides.isEmpty else { return base }
        return base.filter { limit in !overrides.contains { $0.resource == limit.resource } } + overrides
    }

    /// `RLIMIT_NOFILE 4096/8192` for messages.
    static func describe(_ limit: pci_rlimit_setting) -> String {
        let name = ResourceLimit.Resource.allCases.first { resourceNumber($0) == limit.resource }
        let label =
            name.map { "RLIMIT_" + ($0 == .addressSpace ? "AS" : $0.rawValue.uppercased()) } ?? "\(limit.resource)"
        func text(_ value: UInt64) -> String { value == ResourceLimit.unlimited ? "unlimited" : String(value) }
        return "\(label) \(text(limit.soft))/\(text(limit.hard))"
    }

    /// The `RLIMIT_*` number of a config resource name.
    public static func resourceNumber(_ resource: ResourceLimit.Resource) -> Int32 {
        let value: __rlimit_resource
        switch resource {
        case .addressSpace: value = RLIMIT_AS
        case .core: value = RLIMIT_CORE
        case .cpu: value = RLIMIT_CPU
        case .data: value = RLIMIT_DATA
        case .fsize: value = RLIMIT_FSIZE
        case .locks: value = __RLIMIT_LOCKS
        case .memlock: value = __RLIMIT_MEMLOCK
        case .msgqueue: value = __RLIMIT_MSGQUEUE
        case .nice: value = __RLIMIT_NICE
        case .nofile: value = RLIMIT_NOFILE
        case .nproc: value = __RLIMIT_NPROC
        case .rss: value = __RLIMIT_RSS
        case .rtprio: value = __RLIMIT_RTPRIO
        case .rttime: value = __RLIMIT_RTTIME
        case .sigpending: value = __RLIMIT_SIGPENDING
        case .stack: value = RLIMIT_STACK
        }
        return Int32(value.rawValue)
    }
}
