import Foundation

/// Runs PyYAML (`yaml.safe_load` → `json.dumps`) over many documents in one `python3` process; with `libyaml`,
/// PyYAML's libyaml binding (`CSafeLoader`), which reads like go-yaml, process-compose's YAML library.
enum YAMLPythonOracle {
    enum Outcome: Equatable {
        case json(String)
        case failure(String)
    }

    private static let script = """
        import json, sys
        import yaml
        with open(sys.argv[1], encoding="utf-8") as f:
            docs = json.load(f)
        loader = yaml.CSafeLoader if sys.argv[3] == "libyaml" else yaml.SafeLoader
        out = []
        for doc in docs:
            try:
                out.append({"ok": json.dumps(yaml.load(doc, Loader=loader))})
            except Exception as e:
                out.append({"error": (str(e).splitlines() or [type(e).__name__])[0]})
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            json.dump(out, f)
        """

    /// The outcomes in document order, or nil (with the reason printed) when python3 or PyYAML (with libyaml, when
    /// asked for) is unavailable. Blocks until python3 exits: only for tests on a thread of their own
    /// (`.onDedicatedThread`).
    static func load(_ documents: [String], libyaml: Bool = false) throws -> [Outcome]? {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("yaml-oracle-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.json")
        let output = directory.appendingPathComponent("out.json")
        try JSONSerialization.data(withJSONObject: documents).write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, input.path, output.path, libyaml ? "libyaml" : "python"]
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            print("skipping PyYAML comparison: cannot run python3 (\(error))")
            return nil
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0, let data = try? Data(contentsOf: output) else {
            print(
                "skipping PyYAML comparison: python3 with PyYAML is not available (exit \(process.terminationStatus))")
            return nil
        }
        guard let results = try JSONSerialization.jsonObject(with: data) as? [[String: String]] else { return [] }
        return results.map { entry in
            if let json = entry["ok"] { return .json(json) }
            return .failure(entry["error"] ?? "unknown error")
        }
    }

    /// Structural equality of two JSON texts (object member order ignored, 1 and 1.0 equal).
    static func sameJSON(_ a: String, _ b: String) -> Bool {
        let options: JSONSerialization.ReadingOptions = [.fragmentsAllowed]
        guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8), options: options),
            let y = try? JSONSerialization.jsonObject(with: Data(b.utf8), options: options)
        else { return false }
        return sameValue(x, y)
    }

    private static func sameValue(_ x: Any, _ y: Any) -> Bool {
        switch (x, y) {
        case (let a as [String: Any], let b as [String: Any]):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameValue(value, $0) } ?? false }
        case (let a as [Any], let b as [Any]):
            return a.count == b.count && zip(a, b).allSatisfy { sameValue($0, $1) }
        case (let a as String, let b as String):
            return a == b
        case (is NSNull, is NSNull):
            return true
        case (let a as NSNumber, let b as NSNumber):
            return a.doubleValue == b.doubleValue
        default:
            return false
        }
    }
}
