import Foundation
import InitCore
import Testing

/// Nesting depth and alias expansion are capped so hostile documents fail cleanly. On a thread with a large
/// stack: 512 levels of recursion overflow a pool thread in a debug build under AddressSanitizer.
@Suite(.onDedicatedThread) struct YAMLLimitsTests {
    @Test func nestingUpToTheCapParses() {
        let flow = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        #expect(!YAMLTestSupport.json(flow).hasPrefix("error"))
        var block = ""
        for level in 0..<255 { block += String(repeating: " ", count: level) + "k\(level):\n" }
        #expect(!YAMLTestSupport.json(block).hasPrefix("error"))
    }

    @Test func flowNestingBeyondTheCapIsRejected() {
        let flow = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(YAMLTestSupport.failure(flow) == "test.yml:1:513: nesting is deeper than 512 levels")
    }

    @Test func blockNestingBeyondTheCapIsRejected() {
        let block = String(repeating: "- ", count: 600) + "x\n"
        #expect(YAMLTestSupport.failure(block).hasSuffix("nesting is deeper than 512 levels"))
        var mapping = ""
        for level in 0..<600 { mapping += String(repeating: " ", count: level) + "k:\n" }
        #expect(YAMLTestSupport.failure(mapping).hasSuffix("nesting is deeper than 512 levels"))
    }

    /// Found by the libFuzzer config target (Tests/Fuzz): 450 levels of `- ` overflowed the 8 MB stack under
    /// AddressSanitizer, below the cap, because parseBlockNode's frame held the inlined locals of its helpers
    /// (~15 KB). At the cap, block and flow nesting parse on a thread with the main thread's usual 8 MB, and the
    /// loader reports nesting past it as an error at file:line:col.
    @Test func nestingAtTheCapFitsAnEightMegabyteStack() async {
        let outcomes = await onThread(stackSize: 8 << 20) {
            var mapping = ""
            for level in 0..<511 { mapping += String(repeating: " ", count: level) + "k:\n" }
            let flow = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
            let flowMapping = String(repeating: "{a: ", count: 511) + String(repeating: "}", count: 511)
            let documents = [String(repeating: "- ", count: 511) + "x\n", mapping, flow, flowMapping]
            let parsed = documents.map { !YAMLTestSupport.json($0).hasPrefix("error") }
            let tooDeep =
                "processes:\n  web:\n    command: x\n    environment:\n"
                + "      " + String(repeating: "- ", count: 600) + "x\n"
            return (parsed, loadConfig(tooDeep).messages)
        }
        #expect(outcomes.0 == [true, true, true, true])
        #expect(outcomes.1 == ["process-compose.yml:5:1024: error: nesting is deeper than 512 levels"])
    }

    @Test func aliasCannotSmuggleDepthPastTheCap() {
        let inner = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let outer = String(repeating: "[", count: 300) + "*deep" + String(repeating: "]", count: 300)
        #expect(
            YAMLTestSupport.failure("a: &deep \(inner)\nb: \(outer)\n")
                == "test.yml:2:304: alias '*deep' expands the document deeper than 512 levels")
    }

    @Test func billionLaughsIsRejectedQuickly() {
        var yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let clock = ContinuousClock()
        var result = ""
        let elapsed = clock.measure { result = YAMLTestSupport.failure(yaml) }
        #expect(result == "test.yml:6:36: alias '*e' expands the document beyond 1000000 nodes")
        #expect(elapsed < .seconds(2))
    }

    @Test func manyAliasesBelowTheCapExpand() throws {
        var yaml =
            "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [" + Array(repeating: "*a", count: 10).joined(separator: ", ")
        yaml += "]\nc: [" + Array(repeating: "*b", count: 10).joined(separator: ", ") + "]\n"
        guard case .mapping(let entries) = try YAMLTestSupport.parse(yaml).content,
            case .sequence(let c) = entries[2].value.content,
            case .sequence(let b) = c[9].content,
            case .sequence(let a) = b[9].content
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(a.count == 10)
    }
}

/// Runs `body` on a new thread with `stackSize` bytes of stack (Swift Testing's pool threads have less than a
/// process's main thread).
private func onThread<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = stackSize
        thread.start()
    }
}
