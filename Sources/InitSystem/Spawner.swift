import CInit
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
    /// A terminal to make the child's controlling one, in a session of its own (setsid; its pid is still its
    /// process group), or -1. See `PseudoTerminal`.
    public var controllingTerminalFD: Int32 = -1
    /// Limits for the child; each replaces pcinit's default for its resource (see `ResourceLimits`).
    public var resourceLimits: [pci_rlimit_setting] = []
    /// The child's umask; nil: pcinit's.
    public var umask: UInt32?
    /// Credentials the child takes after its limits, before its working directory; nil: pcinit's.
    public var identity: SpawnIdentity?
    /// PR_SET_NO_NEW_PRIVS: setuid binaries and file capabilities grant nothing after exec.
    public var noNewPrivileges = false

    public init(arguments: [String], environment: [String], workingDirectory: String? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// The uid, gid and supplementary groups a child runs with.
public struct SpawnIdentity: Sendable, Equatable {
    public var uid: uid_t
    public var gid: gid_t
    public var groups: [gid_t]

    public init(uid: uid_t, gid: gid_t, groups: [gid_t]) {
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// Why a program could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    /// The set-up step in the child that failed.
    public enum Step: Sendable {
        case setup, processGroup, terminal, stdio, workingDirectory, resourceLimit, exec
        case groups, groupID, userID, noNewPrivileges, session

        init(_ code: Int32) {
            switch code {
            case Int32(PCI_SPAWN_STEP_PROCESS_GROUP): self = .processGroup
            case Int32(PCI_SPAWN_STEP_TERMINAL): self = .terminal
            case Int32(PCI_SPAWN_STEP_STDIO): self = .stdio
            case Int32(PCI_SPAWN_STEP_WORKING_DIR): self = .workingDirectory
            case Int32(PCI_SPAWN_STEP_RLIMIT): self = .resourceLimit
            case Int32(PCI_SPAWN_STEP_EXEC): self = .exec
            case Int32(PCI_SPAWN_STEP_SESSION): self = .session
            case Int32(PCI_SPAWN_STEP_GROUPS): self = .groups
            case Int32(PCI_SPAWN_STEP_GROUP_ID): self = .groupID
            case Int32(PCI_SPAWN_STEP_USER_ID): self = .userID
            case Int32(PCI_SPAWN_STEP_NO_NEW_PRIVS): self = .noNewPrivileges
            default: self = .setup
            }
        }
    }

    public var program: String
    public var errno: Int32
    public var step: Step = .exec
    public var workingDirectory: String?
    /// For `.resourceLimit`: the limit that was refused.
    public var limit: pci_rlimit_setting?
    /// For `.groupID` / `.userID`: the identity that was refused.
    public var identity: SpawnIdentity?

    /// tini's convention: 127 not found, 126 found but not executable.
    public var shellExitCode: Int32 {
        switch errno {
        case ENOENT, ENOTDIR: return 127
        case EACCES, ENOEXEC, EISDIR, EPERM: return 126
        default: return 1
        }
    }

    public var description: String {
        switch (step, errno) {
        case (.workingDirectory, _):
            return
                "\(program): cannot start: working directory \(workingDirectory ?? "?"): \(SystemError.describe(errno))"
        case (.exec, ENOENT): return "\(program): command not found"
        case (.exec, EACCES): return "\(program): permission denied (not executable)"
        case (.exec, _): return "\(program): cannot start: \(SystemError.describe(errno))"
        case (.setup, _): return "\(program): cannot start a process: \(SystemError.describe(errno))"
        case (.processGroup, _): return "\(program): cannot start: setpgid: \(SystemError.describe(errno))"
        case (.terminal, _): return "\(program): cannot start: tcsetpgrp: \(SystemError.describe(errno))"
        case (.stdio, _): return "\(program): cannot start: dup2: \(SystemError.describe(errno))"
        case (.resourceLimit, _):
            let what = limit.map { " \(ResourceLimits.describe($0))" } ?? ""
            return "\(program): cannot start: setrlimit\(what): \(SystemError.describe(errno))"
        case (.groups, _): return "\(program): cannot start: setgroups: \(SystemError.describe(errno))"
        case (.groupID, _):
            let gid = identity.map { " \($0.gid)" } ?? ""
            return "\(program): cannot start: setresgid\(gid): \(SystemError.describe(errno))"
        case (.userID, _):
            let uid = identity.map { " \($0.uid)" } ?? ""
            return "\(program): cannot start: setresuid\(uid): \(SystemError.describe(errno))"
        case (.noNewPrivileges, _):
            return "\(program): cannot start: prctl(PR_SET_NO_NEW_PRIVS): \(SystemError.describe(errno))"
        case (.session, _):
            return "\(program): cannot start: setsid/controlling terminal: \(SystemError.describe(errno))"
        }
    }
}

public enum Spawner {
    /// Starts the program with the signal state of the caller (see `InheritedSignals`) and the resource limits
    /// pcinit was started with (see `ResourceLimits`). Set-up and exec errors come back synchronously: the
    /// parent waits until the child has exec'd or failed.
    public static func spawn(_ request: SpawnRequest, signals: InheritedSignals) throws(SpawnError) -> pid_t {
        guard let program = request.arguments.first, !program.isEmpty else {
            throw SpawnError(program: "", errno: ENOENT)
        }
        var mask = signals.mask
        var defaults = signals.resetToDefault
        let limits = ResourceLimits.merged(ResourceLimits.forChildren, request.resourceLimits)
        let groups = request.identity?.groups ?? []
        let argv = CStringArray(request.arguments)
        let envp = CStringArray(request.environment)
        defer {
            argv.free()
            envp.free()
        }
        // posix_spawnp's rule: the caller's PATH, not the child's; glibc's default when unset.
        let searchPath = program.contains("/") ? nil : (ProcessEnvironment.value("PATH") ?? "/bin:/usr/bin")
        var pid: pid_t = 0
        var step: Int32 = 0
        var item: Int32 = -1
        let err: Int32 = program.withCString { path in
            withOptionalCString(request.workingDirectory) { workingDir in
                withOptionalCString(searchPath) { searchPath in
                    withUnsafePointer(to: &mask) { childMask in
                        withUnsafePointer(to: &defaults) { defaultSignals in
                            limits.withUnsafeBufferPointer { rlimits in
                                groups.withUnsafeBufferPointer { groupList in
                                    var spawn = pci_spawn_request(
                                        path: path,
                                        argv: argv.pointer,
                                        envp: envp.pointer,
                                        working_dir: workingDir,
                                        search_path: searchPath,
                                        new_process_group: request.newProcessGroup ? 1 : 0,
                                        tty_fd: request.terminalFD,
                                        stdin_fd: request.stdinFD,
                                        stdout_fd: request.stdoutFD,
                                        stderr_fd: request.stderrFD,
                                        close_from: request.closeFrom,
                                        child_mask: childMask,
                                        default_signals: defaultSignals,
                                        rlimits: rlimits.baseAddress,
                                        rlimit_count: Int32(rlimits.count),
                                        umask: request.umask.map { Int32($0 & 0o777) } ?? -1,
                                        change_identity: request.identity == nil ? 0 : 1,
                                        uid: request.identity?.uid ?? 0,
                                        gid: request.identity?.gid ?? 0,
                                        groups: groupList.baseAddress,
                                        group_count: Int32(groupList.count),
                                        no_new_privileges: request.noNewPrivileges ? 1 : 0,
                                        controlling_tty_fd: request.controllingTerminalFD
                                    )
                                    return pci_spawn(&spawn, &pid, &step, &item)
                                }
                            }
                        }
                    }
                }
            }
        }
        if err != 0 {
            throw SpawnError(
                program: program, errno: err, step: SpawnError.Step(step), workingDirectory: request.workingDirectory,
                limit: item >= 0 && Int(item) < limits.count ? limits[Int(item)] : nil, identity: request.identity)
        }
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
        for i in 0..<count { CInit.free(pointer[i]) }
        pointer.deallocate()
    }
}

/// The environment pcinit was started with.
public enum ProcessEnvironment {
    public static func current() -> [String] {
        var result: [String] = []
        guard var cursor = environ else { return result }
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
