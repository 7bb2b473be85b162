import Foundation
import Glibc
import InitCore
import Testing

@testable import InitSystem

@Suite("Log output: renderers, layout, log files")
struct LogOutputTests {
    /// A relay batch: `prefix line\n` records and where each ends.
    func batch(_ prefix: String, _ lines: [String]) -> ([UInt8], [Int32]) {
        var bytes: [UInt8] = []
        var ends: [Int32] = []
        for line in lines {
            bytes += Array((prefix + line + "\n").utf8)
            ends.append(Int32(bytes.count))
        }
        return (bytes, ends)
    }

    func render(_ style: LineRenderer.Style, _ lines: [String]) -> String {
        let (bytes, ends) = batch("web | ", lines)
        var out: [UInt8] = []
        LineRenderer(style: style, service: "web", stream: "stderr").render(
            bytes, lineEnds: ends, prefixLength: 6, time: Array("T".utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func renderers() {
        #expect(render(.text(timestamps: true, keepPrefix: true), ["a", "b"]) == "T web | a\nT web | b\n")
        #expect(render(.text(timestamps: false, keepPrefix: false), ["a", ""]) == "a\n\n")
        #expect(render(.text(timestamps: true, keepPrefix: false), ["a"]) == "T a\n")
        #expect(
            render(.json, ["say \"hi\"", ""])
                == #"{"time":"T","service":"web","stream":"stderr","message":"say \"hi\""}"# + "\n"
                + #"{"time":"T","service":"web","stream":"stderr","message":""}"# + "\n")
    }

    @Test func prefixesShareOneWidthWithPCInitAndAreColouredPerStream() {
        Log.format = .text
        #expect(ServiceLogLayout.width(names: ["a", "db"]) == 6)
        #expect(ServiceLogLayout.width(names: ["a", "postgresql"]) == 10)
        #expect(ServiceLogLayout.width(names: []) == 6)
        let layout = ServiceLogLayout(coloursOnStdout: true, coloursOnStderr: false)
        #expect(layout.prefix("a          | ", colourIndex: 0, .stdout) == "\u{1B}[36ma          |\u{1B}[0m ")
        #expect(layout.prefix("a          | ", colourIndex: 1, .stdout) == "\u{1B}[33ma          |\u{1B}[0m ")
        #expect(layout.prefix("postgresql | ", colourIndex: 1, .stderr) == "postgresql | ")
        #expect(layout.renderer(name: "a", .stdout) == nil, "plain text is the batch itself")
    }

    @Test func aLogFileRotatesBeforeItWouldGrowPastItsSize() throws {
        let directory = makeTemporaryDirectory("logfile")
        defer { _ = try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sub/dir/app.log"
        let sink = LogFileSink(config: LogFileConfig(path: path, maxBytes: 10, maxBackups: 2))
        for chunk in ["aaaa\n", "bbbb\n", "cccc\n", "dddd\n", "eeee\n", "ffffffffffffffff\n", "g\n"] {
            sink.write(Array(chunk.utf8))
        }
        func read(_ name: String) -> String? { try? String(contentsOfFile: name, encoding: .utf8) }
        #expect(read(path) == "g\n")
        #expect(read(path + ".1") == "ffffffffffffffff\n", "a batch larger than the limit is written whole")
        #expect(read(path + ".2") == "eeee\n")
        #expect(read(path + ".3") == nil)
    }

    @Test func aLogFileAppendsUnlessTruncated() throws {
        let directory = makeTemporaryDirectory("logfile-append")
        defer { _ = try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/app.log"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        LogFileSink(config: LogFileConfig(path: path)).write(Array("new\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\nnew\n")
        LogFileSink(config: LogFileConfig(path: path, truncate: true)).write(Array("only\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "only\n")
    }
}

@Suite("Process usage reader")
struct ProcessUsageReaderTests {
    @Test func readsThisProcess() throws {
        let usage = try #require(ProcessUsageReader.read(getpid()))
        #expect(
            ProcessUsageReader.measured(usage).residentBytes > 1024 * 1024, "a test process has more than 1 MB resident"
        )
        #expect(ProcessUsageReader.read(-5) == nil)
    }

    @Test func sumsAProcessGroup() {
        // This process is a member of its own group: the sum holds at least its memory.
        let group = ProcessUsageReader.group(getpgrp())
        #expect(group.residentBytes > 1024 * 1024)
        #expect(group.cpuSeconds > 0, "a test runner has used some CPU")
    }
}
