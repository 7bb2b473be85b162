import CInit
import InitCore

extension SpawnRequest {
    /// Applies a service's `user`, `umask`, `rlimits` and `no_new_privileges`: the same for its command, its
    /// exec probes and its shutdown command. The identity is changed only when pcinit is root; otherwise the
    /// loader already checked that `user` is pcinit's own account, and there is nothing to change.
    public mutating func apply(_ settings: ProcessSettings) {
        resourceLimits = settings.resourceLimits.map {
            pci_rlimit_setting(resource: ResourceLimits.resourceNumber($0.resource), soft: $0.soft, hard: $0.hard)
        }
        umask = settings.umask
        noNewPrivileges = settings.noNewPrivileges
        if let user = settings.user, geteuid() == 0 {
            identity = SpawnIdentity(uid: user.uid, gid: user.gid, groups: user.groups)
        }
    }
}
