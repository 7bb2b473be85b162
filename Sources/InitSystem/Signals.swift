import CInit
import InitCore

/// The signal state pcinit found at start-up and hands to the programs it runs, so a child sees what it
/// would have seen without pcinit: the caller's blocked mask and ignored signals, everything else default.
public struct InheritedSignals {
    /// The mask the caller gave pcinit.
    public var mask: sigset_t
    /// Signals the caller set to SIG_IGN; they stay ignored in children (`nohup` keeps working).
    public var ignored: [Int32]
    /// Signals a child gets reset to SIG_DFL: everything catchable that the caller did not ignore.
    public var resetToDefault: sigset_t
}

public enum Signals {
    /// Every signal number pcinit handles: 1...SIGRTMAX.
    public static var all: ClosedRange<Int32> { 1...Int32(pci_sigrtmax()) }

    /// Blocks every signal for the (only) thread and records what the caller had. Must run before
    /// anything else in main: from here on signals queue up and are read from a signalfd.
    public static func blockAllAndCaptureInherited() -> InheritedSignals {
        var full = sigset_t()
        sigfillset(&full)
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, &full, &previous)
        var ignored: [Int32] = []
        var reset = sigset_t()
        sigemptyset(&reset)
        for signal in all where signal != SIGKILL && signal != SIGSTOP {
            if pci_signal_is_ignored(signal) != 0 {
                ignored.append(signal)
            } else {
                sigaddset(&reset, signal)
            }
        }
        return InheritedSignals(mask: previous, ignored: ignored, resetToDefault: reset)
    }

    /// `SIGTERM`, `SIGRTMIN+2`, …
    public static func name(_ signal: Int32) -> String { SignalNames.name(of: signal) }
}

/// A non-blocking signalfd for every blocked signal.
public final class SignalReader {
    public let fd: Int32

    public init() throws(SystemError) {
        var full = sigset_t()
        sigfillset(&full)
        fd = pci_signalfd(&full)
        if fd < 0 { throw SystemError("signalfd") }
    }

    deinit { close(fd) }

    /// Every pending signal, in the order the kernel gives them (lowest standard number first).
    public func drain() -> [signalfd_siginfo] {
        var result: [signalfd_siginfo] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while true {
            let n = withUnsafeMutableBytes(of: &info) { read(fd, $0.baseAddress, size) }
            if n == size {
                result.append(info)
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return result
            }
        }
    }
}
