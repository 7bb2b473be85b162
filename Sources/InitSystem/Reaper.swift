import CInit
import InitCore

/// Collects exited children. This is the only place pcinit calls `waitpid(-1)`: as PID 1 or subreaper
/// every orphan in the tree becomes our child, and one SIGCHLD may stand for many exits.
public enum Reaper {
    public enum Outcome {
        /// Children remain (some may still be running).
        case childrenRemain
        /// No child is left at all: as init or subreaper, no descendant is left either.
        case noChildrenLeft
    }

    /// Reaps every exited child, calling `body` for each, until none is ready.
    public static func reapAll(_ body: (pid_t, ChildTermination) -> Void) -> Outcome {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0 {
                body(pid, decode(status))
            } else if pid == 0 {
                return .childrenRemain
            } else if errno == EINTR {
                continue
            } else {
                return .noChildrenLeft  // ECHILD
            }
        }
    }

    /// Decodes a wait status with the C macros.
    public static func decode(_ status: Int32) -> ChildTermination {
        if pci_wifsignaled(status) != 0 { return .signaled(pci_wtermsig(status)) }
        return .exited(pci_wexitstatus(status))
    }
}
