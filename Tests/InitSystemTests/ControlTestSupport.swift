import CInit
import Foundation
import Glibc
import InitCore

@testable import InitSystem

/// An EventLoop running on its own thread, created there and stopped by `stop()`. Work reaches the loop
/// through a pipe the loop watches, so it runs at once and the loop sleeps otherwise.
final class LoopThread: @unchecked Sendable {
    private let lock = NSLock()
    private var queue: [(EventLoop) -> Void] = []
    private var stopRequested = false
    private let finished = DispatchSemaphore(value: 0)
    private var wakeFDs: [Int32] = [-1, -1]

    /// Starts the thread and runs `setup` there with the new loop; rethrows what `setup` threw.
    init(setup: @escaping @Sendable (EventLoop) throws -> Void) throws {
        guard pci_pipe2(&wakeFDs, O_CLOEXEC | O_NONBLOCK) == 0 else { throw SystemError("pipe2") }
        let ready = DispatchSemaphore(value: 0)
        let failure = Box<Error?>(nil)
        let thread = Thread { [self] in
            do {
                let loop = try EventLoop()
                try loop.watch(wakeFDs[0], for: UInt32(EPOLLIN.rawValue)) { [self] _ in drain(loop) }
                try setup(loop)
                ready.signal()
                loop.run()
            } catch {
                failure.value = error
                ready.signal()
            }
            finished.signal()
        }
        thread.start()
        ready.wait()
        if let error = failure.value {
            finished.wait()
            closePipe()
            throw error
        }
    }

    /// Runs `work` on the loop thread, later.
    func async(_ work: @escaping @Sendable (EventLoop) -> Void) {
        lock.withLock { queue.append(work) }
        var byte: UInt8 = 1
        _ = write(wakeFDs[1], &byte, 1)
    }

    /// Runs `work` on the loop thread and waits for its result.
    func sync<T>(_ work: @escaping @Sendable (EventLoop) -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Box<T?>(nil)
        async { loop in
            result.value = work(loop)
            done.signal()
        }
        done.wait()
        return result.value!
    }

    /// Runs `teardown` on the loop thread, stops the loop, and waits for the thread to end.
    func stop(teardown: @escaping @Sendable (EventLoop) -> Void = { _ in }) {
        lock.withLock { stopRequested = true }
        async(teardown)
        finished.wait()
        closePipe()
    }

    private func drain(_ loop: EventLoop) {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeFDs[0], &sink, sink.count) > 0 {}
        let (work, stopping) = lock.withLock {
            let work = queue
            queue = []
            return (work, stopRequested)
        }
        for item in work { item(loop) }
        if stopping { loop.stop() }
    }

    private func closePipe() {
        for fd in wakeFDs where fd >= 0 { close(fd) }
        wakeFDs = [-1, -1]
    }
}

final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// A private temp directory for one test's sockets, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/pcinit-control-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
