import CInit
import Glibc
import InitCore

/// Everything needed to start one program.
public struct SpawnRequest {
    /// argv[0] is the program; looked up on PATH unless it contains a slash.
    public var arguments: [String]
    /// `KEY=VALUE` entries.
    public var environment: [String]
    /// nil: the child starts in pcinit's current directory.
    public var workingDirectory: String?
    /// Put the child in a new process group it leads, so signals reach everything it starts.
    public var newProcessGroup = true
    /// A terminal to hand to the child's group (job control), or -1.
    public var terminalFD: Int32 = -1
    public var stdinFD: Int32 = -1
    public var stdoutFD: Int32 = -1
    public var stderrFD: Int32 = -1
    /// Close every inherited fd from this number up in the child (0: keep them).
    public var closeFrom: Int32 = 0

    public init(arguments: [String], environment: [String], workingDirectory: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// Why a program could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public var program: String
    public var errno: Int32
    public var workingDirectory: String?

    /// tini's convention: 127 not found, 126 found but not executable.
    public var shellExitCode: Int32 {
        switch errno {
        case ENOENT, ENOTDIR: return 127
        case EACCES, ENOEXEC, EISDIR, EPERM: return 126
        default: return 1
        }
    }

    public var description: String {
        switch errno {
        case ENOENT where workingDirectory != nil:
            return "\(program): cannot start: no such program, or working directory \(workingDirectory!) missing"
        case ENOENT: return "\(program): command not found"
        case EACCES: return "\(program): permission denied (not executable)"
        default: return "\(program): cannot start: \(SystemError.describe(errno))"
        }
    }
}

public enum Spawner {
    /// Starts the program with the signal state of the caller (see `InheritedSignals`). Exec errors come
    /// back synchronously: glibc's posix_spawn reports them from the child before it returns.
    public static func spawn(_ request: SpawnRequest, signals: InheritedSignals) throws(SpawnError) -> pid_t {
        guard let program = request.arguments.first, !program.isEmpty else {
            throw SpawnError(program: "", errno: ENOENT)
        }
        var mask = signals.mask
        var defaults = signals.resetToDefault
        let argv = CStringArray(request.arguments)
        let envp = CStringArray(request.environment)
        defer {
            argv.free()
            envp.free()
        }
        var pid: pid_t = 0
        let err: Int32 = program.withCString { path in
            withOptionalCString(request.workingDirectory) { workingDir in
                withUnsafePointer(to: &mask) { childMask in
                    withUnsafePointer(to: &defaults) { defaultSignals in
                        var spawn = pci_spawn_request(
                            path: path,
                            argv: argv.pointer,
                            envp: envp.pointer,
                            working_dir: workingDir,
                            search_path: program.contains("/") ? 0 : 1,
                            new_process_group: request.newProcessGroup ? 1 : 0,
                            tty_fd: request.terminalFD,
                            stdin_fd: request.stdinFD,
                            stdout_fd: request.stdoutFD,
                            stderr_fd: request.stderrFD,
                            close_from: request.closeFrom,
                            child_mask: childMask,
                            default_signals: defaultSignals
                        )
                        return pci_spawn(&spawn, &pid)
                    }
                }
            }
        }
        if err != 0 { throw SpawnError(program: program, errno: err, workingDirectory: request.workingDirectory) }
        return pid
    }
}

private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

/// A NULL-terminated `char *[]` that outlives the call it is built for.
struct CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, string) in strings.enumerated() { pointer[i] = strdup(string) }
        pointer[strings.count] = nil
    }

    func free() {
        for i in 0..<count { Glibc.free(pointer[i]) }
        pointer.deallocate()
    }
}

/// The environment pcinit was started with.
public enum ProcessEnvironment {
    public static func current() -> [String] {
        var result: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            result.append(String(cString: entry))
            cursor += 1
        }
        return result
    }

    public static func pairs(_ entries: [String]) -> [(String, String)] {
        entries.map { entry in
            guard let eq = entry.firstIndex(of: "=") else { return (entry, "") }
            return (String(entry[..<eq]), String(entry[entry.index(after: eq)...]))
        }
    }

    public static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
