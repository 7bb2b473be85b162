import CInit

/// The command line pcinit was started with. Embedded Swift has no `CommandLine`; the C shim keeps the argc and
/// argv glibc hands to start-up constructors.
enum ProcessArguments {
    static let all: [String] = {
        guard let argv = pci_argv() else { return [] }
        return (0..<Int(pci_argc())).compactMap { argv[$0].map { String(cString: $0) } }
    }()
}
