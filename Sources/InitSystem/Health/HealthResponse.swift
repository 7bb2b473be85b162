/// One complete HTTP answer. Every answer names its type and length and says `Connection: close`, because the
/// server closes after it.
struct HealthResponse: Equatable {
    var status: Int
    var contentType: String
    var body: String
    /// 405 answers list the methods that would work.
    var allowsHeader = false
    /// HEAD gets the same headers (the GET body's length) and no body.
    var omitsBody = false

    static let jsonType = "application/json"
    static let metricsType = "text/plain; version=0.0.4; charset=utf-8"
    static let eventStreamType = "text/event-stream"

    static func json(_ status: Int, _ body: String) -> HealthResponse {
        HealthResponse(status: status, contentType: jsonType, body: body)
    }

    static func error(_ status: Int) -> HealthResponse {
        json(status, "{\"error\":\"\(reason(status).lowercased())\"}\n")
    }

    /// HTTP/1.1 in the status line: what Fly, kubelet and curl expect; the body length is always explicit.
    var bytes: [UInt8] {
        var head = "HTTP/1.1 \(status) \(HealthResponse.reason(status))\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.utf8.count)\r\n"
        head += "Cache-Control: no-store\r\n"
        if allowsHeader { head += "Allow: GET, HEAD\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (omitsBody ? [] : Array(body.utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
