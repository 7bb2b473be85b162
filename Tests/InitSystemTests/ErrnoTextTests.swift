import Glibc
import Testing

@testable import InitSystem

@Suite struct ErrnoTextTests {
    @Test func everyMessageIsGlibcs() {
        for code in Int32(1)...133 {
            guard let message = ErrnoText.message(code) else { continue }
            #expect(message == String(cString: strerror(code)), "errno \(code)")
        }
    }

    @Test func theErrnosPcinitMeetsAreNamed() {
        for code in [
            EPERM, ENOENT, EINTR, EAGAIN, EACCES, EMFILE, ENFILE, EADDRINUSE, ECONNREFUSED, ETIMEDOUT, ENOEXEC,
        ] {
            #expect(ErrnoText.message(code) != nil, "errno \(code)")
        }
        #expect(SystemError.describe(9999) == "Unknown error 9999")
        #expect(SystemError("open x", errno: ENOENT).description == "open x: No such file or directory")
    }
}
