import InitCore
import InitSystem

/// `PCINIT_LOG_FORMAT` / `PCINIT_LOG_TIMESTAMPS`, then `x-pcinit.log_format` / `log_timestamps` where the
/// environment said nothing (flag > environment > config file > default, as for every setting).
enum LogOptions {
    /// At start, before anything is written.
    static func applyEnvironment() {
        if let text = ProcessEnvironment.value("PCINIT_LOG_FORMAT") {
            if let format = LogFormat(rawValue: text.lowercased()) {
                Log.format = format
            } else {
                Log.warning("PCINIT_LOG_FORMAT=\(text) is not one of text, json; using text")
            }
        }
        if let text = ProcessEnvironment.value("PCINIT_LOG_TIMESTAMPS") {
            switch text.lowercased() {
            case "1", "true", "yes", "on": Log.timestamps = true
            case "", "0", "false", "no", "off": Log.timestamps = false
            default: Log.warning("PCINIT_LOG_TIMESTAMPS=\(text) is not true or false; ignored")
            }
        }
        Log.setPrefix(width: 0, colour: Log.format == .text && TerminalStyle.coloursWanted(fd: 2))
    }

    /// Once the config is loaded.
    static func apply(_ settings: PCInitSettings) {
        if ProcessEnvironment.value("PCINIT_LOG_FORMAT") == nil, let format = settings.logFormat {
            Log.format = format
            Log.setPrefix(width: 0, colour: format == .text && TerminalStyle.coloursWanted(fd: 2))
        }
        if ProcessEnvironment.value("PCINIT_LOG_TIMESTAMPS") == nil, let timestamps = settings.logTimestamps {
            Log.timestamps = timestamps
        }
    }
}
