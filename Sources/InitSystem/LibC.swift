import CInit

// What the Glibc overlay gave Swift on top of the C headers, rebuilt over CInit so the same sources compile in
// Embedded Swift, which has no Glibc module (CInit's pci_libc.h says why each exists).

/// The calling thread's errno, read and written like the C macro.
internal var errno: Int32 {
    get { pci_errno() }
    set { pci_set_errno(newValue) }
}

/// The process environment, `NAME=value` C strings ending in a null pointer.
internal var environ: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? { pci_environ() }

/// open(2) with its mode argument always passed (C's open is variadic).
internal func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    pci_open(path, flags, mode)
}

// The system calls under names of their own, for types that have a method of the same name (a connection's
// `close()`): inside such a type a bare `close(fd)` would mean the method.
internal func posixClose(_ fd: Int32) { _ = close(fd) }

internal func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

internal func posixSend(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    send(fd, buffer, count, flags)
}

internal func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

internal func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// The file type bits of a `st_mode` (C's S_IFMT masks are plain ints there, `mode_t` here).
internal enum FileKind: Equatable {
    case directory, socket, fifo, characterDevice, other

    init(mode: mode_t) {
        switch Int32(bitPattern: mode) & S_IFMT {
        case S_IFDIR: self = .directory
        case S_IFSOCK: self = .socket
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        default: self = .other
        }
    }
}
