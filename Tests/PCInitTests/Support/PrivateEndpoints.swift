import Foundation
import Glibc

/// pcinit's two listeners, as the harness hands them out: every process a test starts (and so every pcinit,
/// however it is started: directly, under `unshare`, from a shell script) gets a control socket in its own
/// temporary directory and the health listener `off`, unless the test sets them. The defaults
/// (`[::]:8558`, `/run/pcinit.sock`) belong to the host: tests run in parallel, a pcinit refuses to start on
/// a socket where another one answers, and a port taken by one test makes another's listener fail.
enum PCInitEndpoint: Hashable, Sendable {
    case controlSocket
    case healthAddress

    var variable: String {
        switch self {
        case .controlSocket: return "PCINIT_SOCKET"
        case .healthAddress: return "PCINIT_HEALTH_ADDR"
        }
    }

    var flag: String {
        switch self {
        case .controlSocket: return "--socket"
        case .healthAddress: return "--health-addr"
        }
    }
}

enum PrivateEndpoints {
    /// `environment` with a private control socket (in `directory`) and no health listener, where the
    /// test set neither and did not ask for pcinit's own default.
    static func apply(to environment: Environment, directory: String) -> Environment {
        var additions: [String: String] = [:]
        for endpoint in [PCInitEndpoint.controlSocket, .healthAddress]
        where environment.variables[endpoint.variable] == nil && !environment.pcinitDefaults.contains(endpoint) {
            additions[endpoint.variable] = endpoint == .controlSocket ? "\(directory)/pcinit.sock" : "off"
        }
        return environment.with(additions)
    }

    /// Why a pcinit started with `arguments` and `environment` would use a default endpoint, or nil. Flags
    /// win over the environment, as in pcinit; a test that asked for the default is not checked for it.
    static func violation(arguments: [String], environment: Environment) -> String? {
        for endpoint in [PCInitEndpoint.controlSocket, .healthAddress]
        where !environment.pcinitDefaults.contains(endpoint) {
            let value = flagValue(endpoint.flag, in: arguments) ?? environment.variables[endpoint.variable]
            let isDefault: Bool
            switch endpoint {
            case .controlSocket: isDefault = value.map(isDefaultSocket) ?? true
            case .healthAddress: isDefault = value.map(isDefaultHealthPort) ?? true
            }
            if isDefault {
                return "a pcinit started with \(arguments) would use its default \(endpoint.variable) "
                    + "(\(value.map { "\"\($0)\"" } ?? "unset")): the host's, shared by every test. Leave it to the "
                    + "harness, set a private one, or ask for the default with usingPCInitDefault(.\(endpoint)) "
                    + "where nothing can be shared (a fake /run, main-command mode)"
            }
        }
        return nil
    }

    /// `--flag VALUE` or `--flag=VALUE`.
    private static func flagValue(_ flag: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == flag, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(flag + "=") { return String(argument.dropFirst(flag.count + 1)) }
        }
        return nil
    }

    /// Empty (pcinit then picks its default), /run/pcinit.sock, or the $TMPDIR fallback.
    private static func isDefaultSocket(_ path: String) -> Bool {
        var directory = Substring(path)
        guard let slash = directory.lastIndex(of: "/") else { return path.isEmpty }
        let name = directory[directory.index(after: slash)...]
        directory = directory[..<slash]
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        let temporary = ["/tmp", "/run", "/var/tmp", ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"].map {
            $0.hasSuffix("/") ? String($0.dropLast()) : $0
        }
        return name == "pcinit.sock" && temporary.contains(String(directory))
    }

    /// Anything but `off` that listens on port 8558 (an address without a port means 8558 too).
    private static func isDefaultHealthPort(_ text: String) -> Bool {
        let address = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if address == "off" { return false }
        let port: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return false }
            let rest = address[address.index(after: close)...]
            port = rest.hasPrefix(":") ? rest.dropFirst() : "8558"
        } else if let colon = address.lastIndex(of: ":") {
            port = address[address.index(after: colon)...]
        } else if !address.isEmpty && address.allSatisfy(\.isNumber) {
            port = Substring(address)
        } else {
            // A bare IPv4 host listens on 8558; anything else is no address at all (pcinit rejects it).
            var ipv4 = in_addr()
            port = inet_pton(AF_INET, address, &ipv4) == 1 ? "8558" : ""
        }
        return Int(port) == 8558
    }
}
