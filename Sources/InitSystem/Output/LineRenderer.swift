import CInit
import InitCore

/// Turns a relay batch (`prefix line\n` records) into what a sink gets when that is not the batch itself:
/// text with a time in front, or one JSON object per line. The batch stays as it is for the ring buffer and
/// the ready-line check; only its copy for the sink is re-rendered.
struct LineRenderer {
    enum Style {
        /// Each record as it is (with its `name | ` prefix when `keepPrefix`), after the time if `timestamps`.
        case text(timestamps: Bool, keepPrefix: Bool)
        /// `{"time":…,"service":…,"stream":…,"message":…}`.
        case json
    }

    let style: Style
    /// For JSON: `,"service":"web","stream":"stdout","message":"`, built once.
    private let jsonFields: [UInt8]

    init(style: Style, service: String, stream: String) {
        self.style = style
        var fields = Array(#","service":"#.utf8)
        LogLineEncoding.appendJSONString(service, to: &fields)
        fields += Array(#","stream":"#.utf8)
        LogLineEncoding.appendJSONString(stream, to: &fields)
        fields += Array(#","message":""#.utf8)
        jsonFields = fields
    }

    /// Appends the rendered records to `out`; `time` is the batch's timestamp (one read, one time).
    func render(
        _ batch: [UInt8], lineEnds: [Int32], prefixLength: Int, time: [UInt8], into out: inout [UInt8]
    ) {
        // What comes before each line's own bytes is the same for the whole batch: built once.
        var head: [UInt8] = []
        let keepPrefix: Bool
        switch style {
        case .text(let timestamps, let keep):
            keepPrefix = keep
            if timestamps { head = time + [0x20] }
        case .json:
            keepPrefix = false
            head = Array(#"{"time":""#.utf8) + time + [0x22] + jsonFields
        }
        let isJSON: Bool
        if case .json = style { isJSON = true } else { isJSON = false }
        out.reserveCapacity(out.count + batch.count + lineEnds.count * (head.count + 4))
        batch.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            var start = 0
            for end in lineEnds {
                let end = Int(end)
                out.append(contentsOf: head)
                if isJSON {
                    let from = start + prefixLength
                    LogLineEncoding.appendJSONStringContent(
                        UnsafeBufferPointer(start: base + from, count: end - 1 - from), to: &out)
                    out.append(contentsOf: [0x22, 0x7D, 0x0A])  // "}\n
                } else {
                    let from = keepPrefix ? start : start + prefixLength
                    out.append(contentsOf: UnsafeBufferPointer(start: base + from, count: end - from))
                }
                start = end
            }
        }
    }
}

/// The wall-clock time as log lines show it.
/// The wall clock, for timestamps people and log shippers read (never for deadlines).
enum WallClock {
    /// RFC 3339 UTC with milliseconds, as bytes.
    static func timestamp() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return LogLineEncoding.timestamp(seconds: Int64(now.tv_sec), nanoseconds: Int64(now.tv_nsec))
    }

    /// The same, as text (event lines).
    static func rfc3339() -> String { String(decoding: timestamp(), as: UTF8.self) }

    /// For the core (a service's start time).
    static func now() -> UnixTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UnixTime(nanoseconds: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec))
    }
}
