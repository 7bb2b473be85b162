/// The byte-level pieces of pcinit's log lines for machines: RFC 3339 timestamps and JSON strings built
/// straight from the bytes a service wrote. Pure and allocation-free per line: the relay calls these for
/// every line in JSON mode.
public enum LogLineEncoding {
    /// `2024-05-01T12:34:56.789Z` (RFC 3339, UTC, milliseconds) for a time since the Unix epoch.
    public static func timestamp(seconds: Int64, nanoseconds: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        appendDigits(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(max(0, min(999, nanoseconds / 1_000_000)), width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        return out
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian year, month (1-12), day (1-31).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in stride(from: width - 1, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: buffer[..<width])
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as the inside of a JSON string. Valid UTF-8 is copied; `"`, `\` and control characters
    /// are escaped; a byte that is not part of valid UTF-8 becomes the six characters `\\xNN`, so nothing a
    /// service wrote is dropped or silently replaced (Python's `backslashreplace`).
    public static func appendJSONStringContent(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        var index = 0
        var runStart = 0
        func flushRun(_ end: Int) {
            if end > runStart {
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart))
            }
        }
        while index < count {
            let byte = base[index]
            if byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C {
                index += 1
                continue
            }
            if byte >= 0x80 {
                let length = validSequenceLength(base, index, count)
                if length > 0 {
                    index += length
                    continue
                }
                flushRun(index)
                out.append(contentsOf: [0x5C, 0x5C, UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                index += 1
                runStart = index
                continue
            }
            flushRun(index)
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
            index += 1
            runStart = index
        }
        flushRun(count)
    }

    /// The length of the well-formed UTF-8 sequence starting at `index` (RFC 3629: no overlongs, no
    /// surrogates, nothing above U+10FFFF), or 0.
    private static func validSequenceLength(_ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> Int {
        let lead = base[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return 0
        }
        guard index + length <= count else { return 0 }
        let second = base[index + 1]
        guard second >= low && second <= high else { return 0 }
        for offset in 2..<length where base[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }

    /// `"` + content + `"` for a Swift string (pcinit's own messages, service names).
    public static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { appendJSONStringContent($0, to: &out) }
        out.append(0x22)
    }
}
