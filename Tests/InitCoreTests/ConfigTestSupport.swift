import Foundation
@testable import InitCore

/// An in-memory file system and environment for loader tests; the project lives in `/app`.
struct ConfigTestHarness {
    var files: [String: String] = [:]
    var environment: [String: String] = [:]
    var workingDirectory = "/app"
    var unreadable: Set<String> = []

    init(_ mainConfig: String? = nil, files: [String: String] = [:], environment: [String: String] = [:]) {
        self.files = files
        if let mainConfig { self.files["/app/process-compose.yml"] = mainConfig }
        self.environment = environment
    }

    var loader: ConfigLoader {
        let files = files
        let unreadable = unreadable
        return ConfigLoader(
            environment: environment, workingDirectory: workingDirectory,
            readFile: { path in
                if unreadable.contains(path) { return .unreadable(reason: "permission denied") }
                return files[path].map { .text($0) } ?? .missing
            }
        )
    }

    func load(_ names: [String] = ["process-compose.yml"]) -> ConfigLoadResult { loader.load(files: names) }
}

/// Reads a real file for loader tests that use the corpus and example files on disk.
func readRealFile(_ path: String) -> FileContents {
    guard FileManager.default.fileExists(atPath: path) else { return .missing }
    // Through a handle, as pcinit reads: String(contentsOfFile:) fails on a device such as /dev/null.
    guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable(reason: "cannot open") }
    defer { try? handle.close() }
    guard let data = try? handle.readToEnd() ?? Data(), let text = String(data: data, encoding: .utf8) else {
        return .unreadable(reason: "not UTF-8")
    }
    return .text(text)
}

extension ConfigLoadResult {
    /// `file:line:col: severity: message` lines, the way pcinit prints them.
    var messages: [String] { diagnostics.map(\.formatted) }

    func service(_ name: String) -> ServiceConfig? { config?.services.first { $0.name == name } }
}

/// Loads one `process-compose.yml` text.
func loadConfig(_ yaml: String, files: [String: String] = [:], environment: [String: String] = [:]) -> ConfigLoadResult
{
    ConfigTestHarness(yaml, files: files, environment: environment).load()
}
