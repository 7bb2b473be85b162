import Foundation
import Testing

@testable import InitCore

@Suite("Log lines: timestamps and JSON strings")
struct LogLineEncodingTests {
    func timestamp(_ seconds: Int64, _ nanoseconds: Int64 = 0) -> String {
        String(decoding: LogLineEncoding.timestamp(seconds: seconds, nanoseconds: nanoseconds), as: UTF8.self)
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() {
        #expect(timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(timestamp(951_782_400, 999_999_999) == "2000-02-29T00:00:00.999Z")
        #expect(timestamp(1_709_251_199, 5_000_000) == "2024-02-29T23:59:59.005Z")
        #expect(timestamp(4_102_444_800) == "2100-01-01T00:00:00.000Z")
        #expect(timestamp(-1) == "1969-12-31T23:59:59.000Z")
    }

    @Test func everyDayOfFourHundredYearsMatchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var mismatches: [String] = []
        for day in stride(from: Int64(-1000), to: 146_097, by: 37) {
            let seconds = day * 86_400 + 45_296
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            if timestamp(seconds, 123_000_000) != expected.replacingOccurrences(of: ".000Z", with: ".123Z") {
                mismatches.append("\(timestamp(seconds, 123_000_000)) vs \(expected)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    func encoded(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { LogLineEncoding.appendJSONStringContent($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesWhatJSONNeedsAndCopiesValidUTF8() {
        #expect(encoded(Array(#"plain "quoted" back\slash"#.utf8)) == #"plain \"quoted\" back\\slash"#)
        #expect(encoded([0x09, 0x0A, 0x0D, 0x01, 0x1F, 0x7F]) == "\\t\\n\\r\\u0001\\u001f\u{7F}")
        #expect(encoded(Array("é € 😀 中".utf8)) == "é € 😀 中")
    }

    @Test(
        arguments: [
            ([0x63, 0xE9], "c\\\\xe9"),  // Latin-1 é
            ([0xC0, 0xAF], "\\\\xc0\\\\xaf"),  // overlong
            ([0xED, 0xA0, 0x80], "\\\\xed\\\\xa0\\\\x80"),  // a surrogate
            ([0xF4, 0x90, 0x80, 0x80], "\\\\xf4\\\\x90\\\\x80\\\\x80"),  // above U+10FFFF
            ([0xE2, 0x82], "\\\\xe2\\\\x82"),  // cut short at the end
            ([0xE2, 0x82, 0x41], "\\\\xe2\\\\x82A"),  // cut short before ASCII
            ([0xFF, 0x41, 0x80], "\\\\xffA\\\\x80"),
        ] as [([UInt8], String)])
    func invalidBytesAreEscapedOneByOne(bytes: [UInt8], expected: String) {
        #expect(encoded(bytes) == expected)
    }

    @Test func theResultIsAlwaysValidJSON() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            let text = "\"" + encoded(bytes) + "\""
            let value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            #expect(value is String, "\(bytes)")
        }
    }
}
