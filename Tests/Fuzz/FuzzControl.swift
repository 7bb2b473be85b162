// libFuzzer target: the bytes are one line on the control socket. Decoded as a request (server side) and as
// a message (client side); a request that decodes must survive its own rendering and decode to itself.
// Compiled together with Sources/InitCore (one module). See run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = UnsafeBufferPointer(start: data, count: size)
    switch ControlRequest.decode(line: line) {
    case .success(let request):
        let rendered = request.line
        precondition(rendered.utf8.last == UInt8(ascii: "\n"))
        let again = ControlRequest.decode(line: rendered.utf8.dropLast())
        precondition(again == .success(request), "request does not round-trip: \(rendered)")
        _ = try? ControlCommand.decode(request)
    case .failure(let error):
        _ = ControlMessage.error(error).line
    }
    if case .success(let message) = ControlMessage.decode(line: line) { _ = message.line }
    return 0
}
