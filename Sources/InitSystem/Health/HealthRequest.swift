/// The two things the health server reads from a request head: the method and the path. Everything else is only
/// checked for shape (HTTP/1.x, `name: value` headers) and then ignored; the connection closes after one answer.
struct HealthRequest: Equatable {
    var method: String
    /// The target's path, without query string or fragment ("/readyz?verbose=1" is "/readyz").
    var path: String

    /// Index just past the blank line that ends the head ("\r\n\r\n", or "\n\n" from hand-typed requests), or nil
    /// while it has not arrived. `from` lets a caller skip bytes it already searched.
    static func headEnd(in buffer: [UInt8], from: Int = 0) -> Int? {
        var i = max(0, from)
        while i < buffer.count {
            if buffer[i] == .lineFeed {
                if i + 1 < buffer.count, buffer[i + 1] == .lineFeed { return i + 2 }
                if i + 2 < buffer.count, buffer[i + 1] == .carriageReturn, buffer[i + 2] == .lineFeed { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Nil when the head is not a well-formed HTTP/1.x request head (the server answers 400).
    static func parse(head: ArraySlice<UInt8>) -> HealthRequest? {
        var lines = head.split(separator: .lineFeed, omittingEmptySubsequences: false).map { line in
            line.last == .carriageReturn ? line.dropLast() : line
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        // RFC 9112 §2.2: a server should ignore empty lines received before the request line.
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        guard let requestLine = lines.first else { return nil }
        guard lines.dropFirst().allSatisfy(isHeaderLine) else { return nil }

        let parts = requestLine.split(separator: .space, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else { return nil }
        guard isHTTP1(parts[2]), let path = path(ofTarget: parts[1]) else { return nil }
        return HealthRequest(method: String(decoding: parts[0], as: UTF8.self), path: path)
    }

    /// "HTTP/1.0", "HTTP/1.1" (any HTTP/1 minor version).
    private static func isHTTP1(_ version: ArraySlice<UInt8>) -> Bool {
        let prefix = Array("HTTP/1.".utf8)
        return version.count == prefix.count + 1 && version.starts(with: prefix) && isDigit(version.last!)
    }

    /// The path of an origin-form ("/readyz?x=1") or absolute-form ("http://host:8558/readyz") target.
    private static func path(ofTarget target: ArraySlice<UInt8>) -> String? {
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        var text = Substring(String(decoding: target, as: UTF8.self))
        if let end = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<end] }
        if text.hasPrefix("/") || text == "*" { return String(text) }
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            let afterScheme = text.dropFirst(scheme.count)
            guard let slash = afterScheme.firstIndex(of: "/") else { return "/" }
            return String(afterScheme[slash...])
        }
        return nil
    }

    /// `name: value` with a token name directly before the colon.
    private static func isHeaderLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard let colon = line.firstIndex(of: .colon), colon > line.startIndex else { return false }
        return line[..<colon].allSatisfy(isTokenByte)
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

extension UInt8 {
    fileprivate static let lineFeed = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let colon = UInt8(ascii: ":")
}
