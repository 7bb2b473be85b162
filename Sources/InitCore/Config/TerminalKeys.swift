/// Keys that only make sense with process-compose's TUI or with sudo. pcinit has neither, so it degrades
/// instead of rejecting the file: `is_tty` gets a pseudo-terminal; the others warn and run the service as a
/// normal one.
extension FieldReader {
    mutating func terminalKeys(_ node: ConfigNode, _ path: String, into service: inout ServiceConfig) {
        service.isTTY = bool(node["is_tty"], "\(path).is_tty") ?? false
        let name = service.name
        if bool(node["is_interactive"], "\(path).is_interactive") == true {
            log.warning(
                "\(path).is_interactive: pcinit has no TUI to attach to; '\(name)' runs as a normal service "
                    + "(output relayed, stdin /dev/null)",
                at: node.keyPosition("is_interactive"))
        }
        if bool(node["is_foreground"], "\(path).is_foreground") == true {
            // process-compose defers foreground processes like disabled ones: they run only when asked for.
            service.disabled = true
            log.warning(
                "\(path).is_foreground: pcinit has no TUI to hand the terminal to; '\(name)' runs as a normal service "
                    + "and, as process-compose starts foreground processes only on request, stays down until "
                    + "`pcinit start \(name)`",
                at: node.keyPosition("is_foreground"))
        }
        if bool(node["is_elevated"], "\(path).is_elevated") == true {
            log.warning(
                "\(path).is_elevated: pcinit does not run sudo; '\(name)' runs with pcinit's own privileges",
                at: node.keyPosition("is_elevated"))
        }
    }
}
