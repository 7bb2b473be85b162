import CInit

/// One descriptor held back for the moment pcinit runs out of them. Out of descriptors, `accept` fails and
/// the platform's health check and the operator's control socket would go unanswered until something else
/// closes: the listener then gives up this spare descriptor, accepts and answers that one client, and the
/// spare is taken back as soon as any connection closes.
public final class DescriptorReserve {
    private var fd: Int32 = -1

    public init() { refill() }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether a spare is held now.
    public var isHeld: Bool { fd >= 0 }

    /// Frees the spare so that the next `accept` can succeed; false when there is none to give.
    public func lend() -> Bool {
        guard fd >= 0 else { return false }
        close(fd)
        fd = -1
        return true
    }

    /// Takes the spare back if it was lent and a descriptor is free again. Cheap when held.
    public func refill() {
        guard fd < 0 else { return }
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }
}
