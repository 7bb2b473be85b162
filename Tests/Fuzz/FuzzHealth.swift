// libFuzzer target: the bytes are what a client sent to the health server. Finds the end of the request
// head as the server does (HealthRequest.headEnd) and parses the head, or the whole buffer when there is no
// blank line. Compiled with Sources/InitSystem/Health/HealthRequest.swift alone (it needs only the stdlib).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = Array(UnsafeBufferPointer(start: data, count: size))
    let end = HealthRequest.headEnd(in: buffer) ?? buffer.count
    if let request = HealthRequest.parse(head: buffer[..<end]) {
        precondition(!request.method.isEmpty)
    }
    // A caller that searched part of the buffer already resumes from there.
    _ = HealthRequest.headEnd(in: buffer, from: size / 2)
    return 0
}
