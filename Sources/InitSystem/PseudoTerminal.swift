import CInit

/// A pseudo-terminal pair for an `is_tty` service: the child gets the slave as stdout, stderr and controlling
/// terminal (so programs that colour or line-buffer only on a terminal behave as their authors saw them), and
/// pcinit reads the master like a pipe. A terminal merges stdout and stderr; reading the master fails with EIO
/// once every slave descriptor is closed, which the log relay takes as the end of the stream.
public struct PseudoTerminal {
    public let master: Int32
    public let slave: Int32

    /// process-compose gives its terminals 24×80 too.
    static let rows: UInt16 = 24
    static let columns: UInt16 = 80

    /// Both ends close-on-exec. Output line ends stay `\n` (ONLCR off), so relayed lines are what was written.
    public static func open() throws(SystemError) -> PseudoTerminal {
        var fds: [Int32] = [-1, -1]
        let err = pci_open_pty(&fds, rows, columns)
        guard err == 0 else { throw SystemError("cannot open a pseudo-terminal", errno: err) }
        var settings = termios()
        if tcgetattr(fds[1], &settings) == 0 {
            settings.c_oflag &= ~tcflag_t(ONLCR)
            tcsetattr(fds[1], TCSANOW, &settings)
        }
        return PseudoTerminal(master: fds[0], slave: fds[1])
    }
}

extension SpawnRequest {
    /// The child's stdout and stderr go to the terminal, which becomes its controlling terminal in a session of
    /// its own; stdin stays `stdin` (pcinit never writes to a service).
    public mutating func attach(_ terminal: PseudoTerminal, stdin: Int32) {
        stdinFD = stdin
        stdoutFD = terminal.slave
        stderrFD = terminal.slave
        controllingTerminalFD = terminal.slave
    }
}
