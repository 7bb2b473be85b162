// libFuzzer target: the bytes are a process-compose.yml. They go to the YAML reader on their own, then to the
// config loader as /fuzz/process-compose.yml, with an in-memory file system: the same bytes are also the
// `.env` next to it; any other *.yml/*.yaml (extends:) is a small fixed config, any other *.env (env_file) a
// small dotenv, /etc/passwd and /etc/group have root and app; the rest is missing. No real file is read.
// Compiled together with Sources/InitCore (one module), so internal API is reachable. See run.sh.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var warnings: [YAMLWarning] = []
    if let node = try? YAMLReader.parse(text, file: "fuzz.yml", warnings: &warnings) {
        _ = node.jsonValue.rendered()
    }
    let base = "processes:\n  base:\n    command: \"true\"\n    environment: [\"B=1\"]\n"
    let files: [String: String] = [
        "/fuzz/process-compose.yml": text,
        "/fuzz/.env": text,
        "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
        "/etc/group": "root:x:0:\napp:x:1000:\n",
    ]
    let readFile: (String) -> FileContents = { path in
        if let contents = files[path] { return .text(contents) }
        if path.hasSuffix(".yml") || path.hasSuffix(".yaml") { return .text(base) }
        if path.contains(".env") { return .text("A=1\nB=\"two\"\n") }
        return path.hasSuffix("unreadable") ? .unreadable(reason: "permission denied") : .missing
    }
    let loader = ConfigLoader(
        environment: ["HOME": "/root", "PATH": "/usr/bin:/bin", "PORT": "8080"], workingDirectory: "/fuzz",
        readFile: readFile)
    let result = loader.load(files: ["process-compose.yml"])
    if let config = result.config { _ = config.services.count }
    for diagnostic in result.diagnostics { _ = diagnostic.description }
    return 0
}
