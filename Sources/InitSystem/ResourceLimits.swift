import CInit
import Glibc

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
}
