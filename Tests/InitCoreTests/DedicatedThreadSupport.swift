// Swift concurrency runs every test, the synchronous ones too, on one small shared pool of threads (as many
// as there are cores: 2 here). A test that blocks one of them (a blocking syscall, a sleep, an event loop
// waiting in epoll, a long CPU loop) takes half the pool from every other test, whose awaits then resume
// seconds late. Blocking work therefore runs on threads of its own, in one of two ways:
//
//   await onDedicatedThread { ... }   one blocking call or loop, bridged back with a continuation
//   @Suite(.onDedicatedThread)        every test of a synchronous, blocking suite runs, start to end, on a
//                                     thread of its own (a task executor preference), a few at a time
//
// (The same file is in each test target: they share no code.)

import Foundation
import Testing

/// Runs `body` on a new thread and returns its result without holding a pool thread meanwhile.
func onDedicatedThread<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
    let result: Result<T, E> = await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: Result(catching: body)) }.start()
    }
    return try result.get()
}

/// A task executor with a thread of its own. The thread sleeps while there is nothing to run and ends once
/// `finish()` was called and the queue is empty; a job that still arrives later gets a new thread.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let name: String
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var finished = false
    private var threadRunning = false

    /// Executors live as long as the test process: a job may still name one after its test returned (a
    /// continuation resumed late), and the executor must outlive every job that names it.
    private nonisolated(unsafe) static var all: [DedicatedThreadExecutor] = []
    private static let allLock = NSLock()

    init(name: String) {
        self.name = name
        Self.allLock.withLock { Self.all.append(self) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let startThread = condition.withLock {
            jobs.append(job)
            condition.signal()
            defer { threadRunning = true }
            return !threadRunning
        }
        if startThread { startRunner() }
    }

    /// Lets the thread end once it has run everything queued.
    func finish() {
        condition.withLock {
            finished = true
            condition.signal()
        }
    }

    private func startRunner() {
        let thread = Thread { [self] in
            while let job = next() { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
        // The nesting-cap tests recurse 512 levels deep; a debug build under AddressSanitizer needs ~8 MB for
        // that, more than a pool thread's stack (pcinit's own main thread has 8 MB and release frames are small).
        thread.stackSize = 64 << 20
        thread.name = name
        thread.start()
    }

    private func next() -> UnownedJob? {
        condition.withLock {
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                threadRunning = false
                return nil
            }
            return jobs.removeFirst()
        }
    }
}

/// Lets at most `width` callers in at once; the others wait without holding a thread.
actor AsyncGate {
    private let width: Int
    private var inside = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { self.width = width }

    func enter() async {
        if inside < width {
            inside += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            inside -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// `@Suite(.onDedicatedThread)`: each test case runs on a thread of its own, at most `width` at a time.
struct DedicatedThreadTrait: SuiteTrait, TestTrait, TestScoping {
    /// Blocking tests mostly wait (epoll, sockets, children): many at once, but not a hundred. Keep it wide:
    /// a suite's `.timeLimit` also counts the time a test waits here for its turn.
    static let gate = AsyncGate(width: max(16, 4 * ProcessInfo.processInfo.activeProcessorCount))

    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        await Self.gate.enter()
        let executor = DedicatedThreadExecutor(name: "test \(test.name)")
        do {
            try await withTaskExecutorPreference(executor) { try await function() }
        } catch {
            executor.finish()
            await Self.gate.leave()
            throw error
        }
        executor.finish()
        await Self.gate.leave()
    }
}

extension Trait where Self == DedicatedThreadTrait {
    /// Runs each test of the suite on a thread of its own (see the top of this file).
    static var onDedicatedThread: Self { DedicatedThreadTrait() }
}
