import InitCore

extension ServiceRuntime {
    /// A pseudo-terminal for an `is_tty` service, or nil with the service marked failed to start.
    func openTerminal(for id: ServiceID) -> PseudoTerminal? {
        do throws(SystemError) {
            return try PseudoTerminal.open()
        } catch {
            post(.spawnFailed(id, reason: "\(error)", exitCode: 1))
            return nil
        }
    }
}
