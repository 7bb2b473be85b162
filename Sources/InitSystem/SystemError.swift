import CInit

/// A failed system call: which operation, on what, and the errno it left.
public struct SystemError: Error, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    public init(_ operation: String, errno: Int32 = pci_errno()) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(operation): \(SystemError.describe(errno))" }

    /// strerror's text for an errno value.
    public static func describe(_ code: Int32) -> String { ErrnoText.message(code) ?? "Unknown error \(code)" }
}
