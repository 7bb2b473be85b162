import Testing

@testable import InitCore

@Suite(.timeLimit(.minutes(1))) struct ControlRequestTests {
    private func decode(_ text: String) -> Result<ControlRequest, ControlError> {
        ControlRequest.decode(line: Array(text.utf8))
    }

    private func error(_ text: String) -> ControlError? {
        if case .failure(let error) = decode(text) { return error }
        return nil
    }

    @Test func decodesAValidRequest() {
        let result = decode(#"{"jsonrpc":"2.0","id":7,"method":"start","params":{"services":["web"]}}"#)
        #expect(
            result
                == .success(
                    ControlRequest(
                        id: .int(7), method: "start", params: .object([("services", .array([.string("web")]))]))))
    }

    @Test func missingParamsBecomeAnEmptyObjectAndStringIdsAreKept() {
        #expect(
            decode(#"{"jsonrpc":"2.0","id":"abc","method":"status"}"#)
                == .success(ControlRequest(id: .string("abc"), method: "status", params: .object([]))))
        #expect(
            decode(#"{"jsonrpc":"2.0","id":null,"method":"status","params":[]}"#).map(\.params) == .success(.array([])))
    }

    @Test func unparsableTextIsAParseErrorWithNullId() {
        let failure = error(#"{"jsonrpc":"2.0","id":1,"method":"#)
        #expect(failure?.code == -32700)
        #expect(failure?.id == .null)
        #expect(failure?.message.hasPrefix("parse error: invalid JSON at byte 33: unexpected end of input") == true)
    }

    @Test func wrongShapesAreInvalidRequests() {
        #expect(error("[]")?.message == "batch requests are not supported")
        #expect(error("42")?.message == "a request must be a JSON object, got number")
        #expect(error(#"{"jsonrpc":"2.0","method":"status"}"#)?.code == -32600)
        #expect(error(#"{"jsonrpc":"2.0","id":[1],"method":"status"}"#)?.id == .null)
        let badVersion = error(#"{"jsonrpc":"1.0","id":5,"method":"status"}"#)
        #expect(
            badVersion
                == ControlError(id: .int(5), code: -32600, message: "invalid request: \"jsonrpc\" must be \"2.0\""))
        #expect(
            error(#"{"jsonrpc":"2.0","id":5,"method":3}"#)?.message == "invalid request: \"method\" must be a string")
        #expect(error(#"{"jsonrpc":"2.0","id":5,"method":"x","params":"a"}"#)?.id == .int(5))
        #expect(
            error(#"{"jsonrpc":"2.0","id":5,"method":"x","extra":1}"#)?.message
                == "invalid request: unknown request member \"extra\"")
    }

    @Test func requestLineEncodesCompactlyWithNewline() {
        let line = ControlRequest(id: .int(1), method: "logs", params: LogsRequest(lines: 5, follow: true).params).line
        #expect(
            line == #"{"jsonrpc":"2.0","id":1,"method":"logs","params":{"services":[],"lines":5,"follow":true}}"# + "\n"
        )
        #expect(
            decode(String(line.dropLast()))
                == .success(
                    ControlRequest(id: .int(1), method: "logs", params: LogsRequest(lines: 5, follow: true).params)))
    }

    @Test func serviceNamesParamsNeedANonEmptyStringArray() throws {
        func names(_ params: JSONValue) throws(ControlError) -> [String] {
            try ControlParams.serviceNames(ControlRequest(id: .int(2), method: "stop", params: params))
        }
        #expect(try names(.object([("services", .array([.string("a"), .string("b")]))])) == ["a", "b"])
        for bad: JSONValue in [
            .object([]), .object([("services", .array([]))]), .object([("services", .string("a"))]),
            .object([("services", .array([.int(1)]))]), .array([.string("a")]),
            .object([("services", .array([.string("a")])), ("force", .bool(true))]),
        ] {
            let error = #expect(throws: ControlError.self) { try names(bad) }
            #expect(error?.code == -32602)
            #expect(error?.id == .int(2))
        }
    }

    @Test func logsParamsAreOptionalAndTyped() throws {
        func logs(_ params: JSONValue) throws(ControlError) -> LogsRequest {
            try ControlParams.logs(ControlRequest(id: .int(3), method: "logs", params: params))
        }
        #expect(try logs(.object([])) == LogsRequest())
        #expect(
            try logs(.object([("services", .array([.string("web")])), ("lines", .int(10)), ("follow", .bool(true))]))
                == LogsRequest(services: ["web"], lines: 10, follow: true))
        #expect(try logs(.object([("lines", .null)])) == LogsRequest())
        for bad: JSONValue in [
            .object([("lines", .int(-1))]), .object([("lines", .string("5"))]), .object([("follow", .int(1))]),
            .object([("services", .string("web"))]), .object([("tail", .int(1))]),
        ] {
            #expect(throws: ControlError.self) { try logs(bad) }
        }
    }

    @Test func statusTakesNoParams() {
        #expect(throws: Never.self) { try ControlParams.none(ControlRequest(id: .int(1), method: "status")) }
        #expect(throws: ControlError.self) {
            try ControlParams.none(ControlRequest(id: .int(1), method: "status", params: .object([("x", .int(1))])))
        }
    }

    @Test func responseAndNotificationLinesHaveTheDocumentedShape() {
        #expect(
            ControlMessage.result(id: .int(1), result: .object([("ok", .bool(true))])).line
                == #"{"jsonrpc":"2.0","id":1,"result":{"ok":true}}"# + "\n")
        let error = ControlError(id: .int(1), code: -32601, message: "method not found: \"x\"")
        #expect(
            ControlMessage.error(error).line
                == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"method not found: \"x\""}}"# + "\n")
        let note = ControlMessage.notification(method: "log", params: LogEntry(service: "web", line: "a\nb").json)
        #expect(note.line == #"{"jsonrpc":"2.0","method":"log","params":{"service":"web","line":"a\nb"}}"# + "\n")
    }

    @Test func clientDecodesResponsesErrorsAndNotifications() {
        func decode(_ text: String) -> Result<ControlMessage, ControlProtocolError> {
            ControlMessage.decode(line: Array(text.utf8))
        }
        #expect(decode(#"{"jsonrpc":"2.0","id":1,"result":null}"#) == .success(.result(id: .int(1), result: .null)))
        #expect(
            decode(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"no service named \"x\""}}"#)
                == .success(.error(ControlError(id: .int(1), code: -32000, message: "no service named \"x\""))))
        #expect(
            decode(#"{"jsonrpc":"2.0","method":"log","params":{}}"#)
                == .success(.notification(method: "log", params: .object([]))))
        #expect(throws: ControlProtocolError.self) { try decode("nope").get() }
        #expect(throws: ControlProtocolError.self) { try decode(#"{"id":1,"result":1}"#).get() }
        #expect(throws: ControlProtocolError.self) { try decode(#"{"jsonrpc":"2.0","id":1}"#).get() }
    }

    @Test func outcomesAndLogEntriesRoundTrip() {
        let outcomes = [
            ControlOutcome(service: "web", ok: true, message: "web started (pid 51)"),
            ControlOutcome(service: "x", ok: false, message: "no service named \"x\""),
        ]
        let result = ControlOutcome.result(outcomes)
        #expect(
            result.rendered()
                == #"{"results":[{"service":"web","ok":true,"message":"web started (pid 51)"},{"service":"x","ok":false,"message":"no service named \"x\""}]}"#
        )
        #expect(ControlOutcome.outcomes(from: result) == outcomes)
        let entries = [LogEntry(service: "db", line: "ready")]
        #expect(LogEntry.result(entries).rendered() == #"{"lines":[{"service":"db","line":"ready"}]}"#)
        #expect(LogEntry.entries(from: LogEntry.result(entries)) == entries)
        #expect(LogEntry.entries(from: .object([])) == nil)
        #expect(LogEntry(service: "db", line: "x").formatted(nameWidth: 5) == "db    | x")
    }
}
