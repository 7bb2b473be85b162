import CInit

/// Reads one service stream (its stdout or stderr pipe) and relays it line by line as `name | line`.
/// Only whole lines go out, so services never tear each other's lines; a line longer than `maxLineBytes`
/// is split rather than buffered without bound; what is left at EOF goes out as a last line.
/// With a renderer (timestamps, JSON) or a log file, each batch is re-rendered for them; without, the batch
/// itself is the output (the fast path).
public final class LogRelay {
    /// A service's `log_location` and how its lines are written there.
    struct FileOutput {
        var sink: LogFileSink
        var renderer: LineRenderer
    }

    static let maxLineBytes = 16 * 1024
    static let readBytes = 64 * 1024

    private let fd: Int32
    /// `name | ` as raw bytes: appended for every line, so it must not be an array that gets retained each time.
    private let prefix: UnsafeMutableBufferPointer<UInt8>
    private let output: OutputChannel
    private let loop: EventLoop
    private let ring: LineRing
    /// `ready_log_line` as bytes until it is seen; nil once seen (or never configured).
    private var readyLine: [UInt8]?
    private var watchingReadyLine: Bool
    private let onReadyLine: () -> Void
    /// Called once, then dropped: the closure may hold the relay itself (its owner's table entry), and
    /// keeping it would make a cycle that outlives the closed relay.
    private var onClosed: (() -> Void)?
    private var partial: [UInt8] = []
    /// One read buffer for every relay: pcinit is single-threaded and a read is consumed before the next,
    /// so fifty services do not cost fifty resident 64 KiB buffers.
    nonisolated(unsafe) private static var readBuffer = [UInt8](repeating: 0, count: LogRelay.readBytes)
    /// The prefixed lines of one read, written to the output in one go, and where each line ends.
    private var batch: [UInt8] = []
    private var lineEnds: [Int32] = []
    private let renderer: LineRenderer?
    private let file: FileOutput?
    /// Where batches are re-rendered; shared like `readBuffer` (each is consumed before the next).
    nonisolated(unsafe) private static var rendered: [UInt8] = []
    private var watch: EventLoop.Watch?
    private var paused = false
    public private(set) var isClosed = false

    /// - Parameters:
    ///   - ring: keeps every line for `pcinit logs`.
    ///   - readyLine: `onReadyLine` is called the first time a line contains it.
    ///   - onClosed: EOF: every writer of the pipe (the service and anything it forked) is gone.
    ///   - renderer: how lines go to `output` when not as the prefixed batch; `file`: the log file, if any.
    init(
        fd: Int32,
        prefix: String,
        output: OutputChannel,
        loop: EventLoop,
        ring: LineRing,
        readyLine: String?,
        onReadyLine: @escaping () -> Void,
        onClosed: @escaping () -> Void,
        renderer: LineRenderer? = nil,
        file: FileOutput? = nil
    ) throws(SystemError) {
        self.fd = fd
        self.renderer = renderer
        self.file = file
        self.prefix = .allocate(capacity: prefix.utf8.count)
        _ = self.prefix.initialize(from: prefix.utf8)
        self.output = output
        self.loop = loop
        self.ring = ring
        self.readyLine = readyLine.map { Array($0.utf8) }
        watchingReadyLine = readyLine != nil
        self.onReadyLine = onReadyLine
        self.onClosed = onClosed
        pci_set_nonblock(fd)
        watch = try loop.watch(fd, for: UInt32(EPOLLIN.rawValue)) { [self] _ in self.readAvailable() }
    }

    /// Reads what the pipe holds now; called on readiness, and before reporting an exit so the last lines
    /// come before the exit message.
    public func readAvailable() {
        guard !paused else { return }
        read(untilCongested: true)
    }

    /// At exit, when every writer is gone: reads what is left whatever the output's congestion.
    public func drainAtExit() {
        paused = false
        read(untilCongested: false)
    }

    private func read(untilCongested: Bool) {
        while !isClosed {
            let n = Self.readBuffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                consume(count: n)
                if untilCongested && output.isCongested {
                    pause()
                    return
                }
                // A short read drained the pipe for now; at exit keep going to EOF, which flushes a last partial line.
                if untilCongested && n < LogRelay.readBytes { return }
            } else if n == 0 {
                finish()
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN {
                if !untilCongested { finish() }
                return
            } else {
                finish()
            }
        }
    }

    /// Splits the first `count` bytes of the read buffer into lines. This runs for every line a service
    /// writes, so the loop works on raw buffers and local variables: no allocation, retain or exclusivity
    /// check per line.
    private func consume(count: Int) {
        var batch = takeBatch()
        var lineEnds = takeLineEnds()
        var partial = self.partial
        self.partial = []
        let prefix = UnsafeBufferPointer(self.prefix)
        Self.readBuffer.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var lineStart = 0
            while lineStart < count, let found = memchr(base + lineStart, 0x0A, count - lineStart) {
                let newline = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
                let line = UnsafeBufferPointer(start: base + lineStart, count: newline - lineStart)
                if partial.isEmpty {
                    Self.append(line, prefix: prefix, to: &batch, lineEnds: &lineEnds)
                } else {
                    partial.append(contentsOf: line)
                    Self.appendSplitting(&partial, upTo: partial.count, prefix: prefix, to: &batch, lineEnds: &lineEnds)
                }
                lineStart = newline + 1
            }
            partial.append(contentsOf: UnsafeBufferPointer(start: base + lineStart, count: count - lineStart))
        }
        while partial.count >= Self.maxLineBytes {
            Self.appendSplitting(&partial, upTo: Self.maxLineBytes, prefix: prefix, to: &batch, lineEnds: &lineEnds)
        }
        self.partial = partial
        flush(&batch, &lineEnds)
    }

    private func takeBatch() -> [UInt8] {
        let taken = batch
        batch = []
        return taken
    }

    private func takeLineEnds() -> [Int32] {
        let taken = lineEnds
        lineEnds = []
        return taken
    }

    /// Writes a batch out, keeps it in the ring, looks for the ready line, and hands the buffers back for reuse.
    private func flush(_ batch: inout [UInt8], _ lineEnds: inout [Int32]) {
        if !lineEnds.isEmpty {
            if renderer == nil && file == nil {
                output.write(batch)
            } else {
                writeRendered(batch, lineEnds)
            }
            ring.append(batch: batch, lineEnds: lineEnds, prefixLength: prefix.count)
            if watchingReadyLine { checkReadyLine(batch, lineEnds) }
            // Keep a small buffer for the next read; give a burst's large one back.
            batch.removeAll(keepingCapacity: batch.capacity <= 8192)
            lineEnds.removeAll(keepingCapacity: lineEnds.capacity <= 256)
        }
        self.batch = batch
        self.lineEnds = lineEnds
    }

    private func writeRendered(_ batch: [UInt8], _ lineEnds: [Int32]) {
        let time = WallClock.timestamp()
        var out = Self.rendered
        Self.rendered = []
        if let renderer {
            out.removeAll(keepingCapacity: true)
            renderer.render(batch, lineEnds: lineEnds, prefixLength: prefix.count, time: time, into: &out)
            output.write(out)
        } else {
            output.write(batch)
        }
        if let file {
            out.removeAll(keepingCapacity: true)
            file.renderer.render(batch, lineEnds: lineEnds, prefixLength: prefix.count, time: time, into: &out)
            file.sink.write(out)
        }
        out.removeAll(keepingCapacity: out.capacity <= 1 << 16)
        Self.rendered = out
    }

    private func checkReadyLine(_ batch: [UInt8], _ lineEnds: [Int32]) {
        guard let readyLine else { return }
        var start = 0
        for end in lineEnds.map(Int.init) {
            if batch[(start + prefix.count)..<(end - 1)].contains(readyLine) {
                watchingReadyLine = false
                self.readyLine = nil
                onReadyLine()
                return
            }
            start = end
        }
    }

    /// Appends `prefix line\n`, dropping a trailing CR.
    private static func append(
        _ line: UnsafeBufferPointer<UInt8>,
        prefix: UnsafeBufferPointer<UInt8>,
        to batch: inout [UInt8],
        lineEnds: inout [Int32]
    ) {
        var text = line
        if let last = text.last, last == 0x0D { text = UnsafeBufferPointer(rebasing: text.dropLast()) }
        batch.append(contentsOf: prefix)
        batch.append(contentsOf: text)
        batch.append(0x0A)
        lineEnds.append(Int32(batch.count))
    }

    /// Emits the first `count` bytes of `partial` as a line, cut on a UTF-8 boundary so a long line is
    /// split between characters.
    private static func appendSplitting(
        _ partial: inout [UInt8],
        upTo count: Int,
        prefix: UnsafeBufferPointer<UInt8>,
        to batch: inout [UInt8],
        lineEnds: inout [Int32]
    ) {
        var cut = count
        while cut > 0 && cut < partial.count && partial[cut] & 0xC0 == 0x80 { cut -= 1 }
        if cut == 0 { cut = count }
        partial.withUnsafeBufferPointer {
            append(UnsafeBufferPointer(rebasing: $0[..<cut]), prefix: prefix, to: &batch, lineEnds: &lineEnds)
        }
        partial.removeFirst(cut)
    }

    private func pause() {
        paused = true
        if let watch { loop.change(watch, to: 0) }
        // The channel holds this relay until it drains; a relay closed meanwhile ignores the call.
        output.whenDrained { [self] in
            guard !self.isClosed else { return }
            self.paused = false
            if let watch = self.watch { self.loop.change(watch, to: UInt32(EPOLLIN.rawValue)) }
            self.readAvailable()
        }
    }

    private func finish() {
        var batch = takeBatch()
        var lineEnds = takeLineEnds()
        if !partial.isEmpty {
            Self.appendSplitting(
                &partial, upTo: partial.count, prefix: UnsafeBufferPointer(prefix), to: &batch, lineEnds: &lineEnds)
        }
        flush(&batch, &lineEnds)
        close()
        let callback = onClosed
        onClosed = nil
        callback?()
    }

    deinit { prefix.deallocate() }

    /// Stops relaying and closes the pipe.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let watch { loop.unwatch(watch) }
        watch = nil
        posixClose(fd)
    }
}

extension ArraySlice where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (a plain substring search, as process-compose's strings.Contains).
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard count >= needle.count, let first = needle.first else { return false }
        var index = startIndex
        let last = endIndex - needle.count
        while index <= last {
            if self[index] == first && self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
