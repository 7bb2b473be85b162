// libFuzzer target: the bytes are a dotenv file (`.env`, `env_file`). Parsed with and without a lookup for
// variables the file does not set; each value is also read as a duration (DurationText, as PCINIT_GRACE is).
// Compiled together with Sources/InitCore (one module). See run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let plain = DotEnvParser.parse(text)
    let looked = DotEnvParser.parse(text, lookup: { name in name.count % 2 == 0 ? "$" + name : nil })
    precondition(plain.problems == looked.problems)
    // Values are what PCINIT_GRACE and the like hold: durations.
    for (_, value) in plain.variables { _ = DurationText.parse(value) }
    return 0
}
