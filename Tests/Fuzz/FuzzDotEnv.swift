// libFuzzer target: the bytes are a dotenv file (`.env`, `env_file`). Parsed with and without a lookup for
// variables the file does not set; each value is also read as a duration (DurationText, as PCINIT_GRACE is).
// Expansion has limits (DotEnvParser.Limits, smaller here): no value may pass them.
// Compiled together with Sources/InitCore (one module). See run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Limits far below pcinit's (1 MiB a value, 16 MiB a file), so that the inputs reaching them, which the corpus
    // is full of, stay cheap; the `config` target parses its `.env` with pcinit's own.
    let limits = DotEnvParser.Limits(valueBytes: 8 << 10, fileBytes: 64 << 10)
    let plain = DotEnvParser.parse(text, limits: limits)
    let looked = DotEnvParser.parse(text, lookup: { name in name.count % 2 == 0 ? "$" + name : nil }, limits: limits)
    // What is wrong with the text does not depend on the lookup; whether an expansion passes a limit may.
    precondition(plain.problems.filter { !$0.isExpansionLimit } == looked.problems.filter { !$0.isExpansionLimit })
    // No expansion builds a value past the limit (the input is too short for a literal one to reach it).
    for parsed in [plain, looked] {
        precondition(parsed.variables.allSatisfy { $0.1.utf8.count <= limits.valueBytes })
    }
    // Values are what PCINIT_GRACE and the like hold: durations.
    for (_, value) in plain.variables { _ = DurationText.parse(value) }
    return 0
}
