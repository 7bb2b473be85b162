/// What a reload compares: everything that changes how a service runs, nothing that does not (its
/// description, where in which file it was written).
public enum ServiceDefinition {
    /// The aspects that differ, in config words (`command`, `environment`, …); empty when the service would run
    /// exactly as before. `shell` counts only for a command run through the shell.
    public static func changes(
        from old: ServiceConfig, shell oldShell: ShellConfig, to new: ServiceConfig, shell newShell: ShellConfig
    ) -> [String] {
        var changed: [String] = []
        func note(_ aspect: String, _ differs: Bool) { if differs { changed.append(aspect) } }
        note("command", old.command != new.command)
        if case .shell = new.command, case .shell = old.command { note("shell", oldShell != newShell) }
        note("environment", !sameEnvironment(old.environment, new.environment))
        note("working_dir", old.workingDir != new.workingDir)
        note("depends_on", old.dependsOn != new.dependsOn)
        note("availability", old.availability != new.availability)
        note("success_exit_codes", old.successExitCodes != new.successExitCodes)
        note("readiness_probe", old.readinessProbe != new.readinessProbe)
        note("liveness_probe", old.livenessProbe != new.livenessProbe)
        note("ready_log_line", old.readyLogLine != new.readyLogLine)
        note("notify", old.notify != new.notify)
        note("shutdown", old.shutdown != new.shutdown)
        note("is_daemon", old.isDaemon != new.isDaemon)
        note("launch_timeout", old.launchTimeout != new.launchTimeout)
        note("disabled", old.disabled != new.disabled)
        note("user", old.process.user != new.process.user)
        note("umask", old.process.umask != new.process.umask)
        note("rlimits", old.process.resourceLimits != new.process.resourceLimits)
        note("no_new_privileges", old.process.noNewPrivileges != new.process.noNewPrivileges)
        note("is_tty", old.isTTY != new.isTTY)
        note("log_location", old.logFile != new.logFile)
        return changed
    }

    /// Equal final values in each layer; the order a file lists its variables in is no change.
    static func sameEnvironment(_ a: ServiceEnvironment, _ b: ServiceEnvironment) -> Bool {
        func values(_ layer: [(String, String)]) -> [String: String] {
            var result: [String: String] = [:]
            for (key, value) in layer { result[key] = value }
            return result
        }
        return values(a.belowInherited) == values(b.belowInherited)
            && values(a.aboveInherited) == values(b.aboveInherited)
    }
}
