import CInit
import Glibc

/// Reads one service stream (its stdout or stderr pipe) and relays it line by line as `name | line`.
/// Only whole lines go out, so services never tear each other's lines; a line longer than `maxLineBytes`
/// is split rather than buffered without bound; what is left at EOF goes out as a last line.
public final class LogRelay {
    static let maxLineBytes = 16 * 1024
    static let readBytes = 64 * 1024

    private let fd: Int32
    private let prefix: [UInt8]
    private let output: OutputChannel
    private let loop: EventLoop
    private let onLine: (Substring) -> Void
    private let onClosed: () -> Void
    private var partial: [UInt8] = []
    private var watch: EventLoop.Watch?
    private var paused = false
    public private(set) var isClosed = false

    /// - Parameters:
    ///   - onLine: every complete line (for the ring buffer and `ready_log_line`).
    ///   - onClosed: EOF: every writer of the pipe (the service and anything it forked) is gone.
    public init(
        fd: Int32,
        prefix: String,
        output: OutputChannel,
        loop: EventLoop,
        onLine: @escaping (Substring) -> Void,
        onClosed: @escaping () -> Void
    ) throws(SystemError) {
        self.fd = fd
        self.prefix = Array(prefix.utf8)
        self.output = output
        self.loop = loop
        self.onLine = onLine
        self.onClosed = onClosed
        pci_set_nonblock(fd)
        watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [unowned self] _ in self.readAvailable() }
    }

    /// Reads what the pipe holds now; called on readiness, and before reporting an exit so the last lines
    /// come before the exit message.
    public func readAvailable() {
        guard !isClosed, !paused else { return }
        var buffer = [UInt8](repeating: 0, count: Self.readBytes)
        while !isClosed {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                consume(buffer[..<n])
                if output.isCongested {
                    pause()
                    return
                }
                if n < buffer.count { return }
            } else if n == 0 {
                finish()
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN {
                return
            } else {
                finish()
            }
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            emit(rest[..<newline])
            rest = rest[(newline + 1)...]
        }
        partial.append(contentsOf: rest)
        while partial.count >= Self.maxLineBytes {
            emitPartial(upTo: Self.maxLineBytes)
        }
    }

    private func emitPartial(upTo count: Int) {
        // Split on a UTF-8 boundary so a long line is cut between characters.
        var cut = count
        while cut > 0 && cut < partial.count && partial[cut] & 0xC0 == 0x80 { cut -= 1 }
        if cut == 0 { cut = count }
        let head = partial[..<cut]
        partial.removeFirst(cut)
        emit(head)
    }

    private func emit(_ line: some Collection<UInt8>) {
        var text = Array(line)
        if text.last == UInt8(ascii: "\r") { text.removeLast() }
        var out = prefix
        out.append(contentsOf: text)
        out.append(UInt8(ascii: "\n"))
        output.write(out)
        onLine(Substring(decoding: text, as: UTF8.self))
    }

    private func pause() {
        paused = true
        if let watch { loop.change(watch, to: 0) }
        output.whenDrained { [weak self] in
            guard let self, !self.isClosed else { return }
            self.paused = false
            if let watch = self.watch { self.loop.change(watch, to: UInt32(EPOLLIN.rawValue)) }
            self.readAvailable()
        }
    }

    private func finish() {
        if !partial.isEmpty { emitPartial(upTo: partial.count) }
        close()
        onClosed()
    }

    /// Stops relaying and closes the pipe.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let watch { loop.unwatch(watch) }
        watch = nil
        Glibc.close(fd)
    }
}
