import CInit
import InitCore

/// A service whose main process (its process group's leader) was reaped.
struct GroupWatch {
    var service: ServiceID
    /// The process group's id: the leader's pid. The kernel does not reuse it while the group has a member.
    var group: pid_t
    var leader: ChildTermination
    /// The service's log relays, read to the end once the group is gone.
    var relays: [LogRelay]
}

/// A service is over only when its process group is: with dash as /bin/sh, `sh -c CMD` dies at once on
/// SIGTERM while CMD drains. As PID 1 or subreaper pcinit reaps every member of every group, so after each
/// reap it only has to ask the kernel whether a watched group still has a member (`kill(-pgid, 0)`, which
/// counts zombies too): no polling.
struct ProcessGroups {
    enum Change {
        /// The leader is gone and the group is not: the service drains.
        case leaderGone(GroupWatch)
        /// No process of the group is left.
        case groupGone(GroupWatch)
    }

    /// Leaders reaped since the last `settle`, in reap order.
    private var reaped: [GroupWatch] = []
    /// Groups that outlived their leader, in the order they were found.
    private var draining: [GroupWatch] = []

    mutating func leaderReaped(_ watch: GroupWatch) { reaped.append(watch) }

    func isDraining(_ group: pid_t) -> Bool { draining.contains { $0.group == group } }

    /// Call after a whole reap batch: a group whose members all died together is then empty, and its
    /// service ends in one step.
    mutating func settle() -> [Change] {
        var changes: [Change] = []
        // Groups that were draining already: this batch may have reaped their last member.
        var stillDraining: [GroupWatch] = []
        for watch in draining {
            if Self.isEmpty(watch.group) { changes.append(.groupGone(watch)) } else { stillDraining.append(watch) }
        }
        draining = stillDraining
        for watch in reaped {
            if Self.isEmpty(watch.group) {
                changes.append(.groupGone(watch))
            } else {
                draining.append(watch)
                changes.append(.leaderGone(watch))
            }
        }
        reaped = []
        return changes
    }

    /// ESRCH: no process has this group id. EPERM (a member we may not signal) still means a member.
    static func isEmpty(_ group: pid_t) -> Bool { kill(-group, 0) != 0 && errno == ESRCH }
}
