/// What a `command` string looks like to a POSIX shell, as far as pcinit needs to know.
public enum ShellCommand {
    /// One plain command with its arguments (`python3 app.py --port 80`): no lists, pipes, background jobs,
    /// substitutions, redirections or compound statements. dash runs such a command as its only child and waits
    /// for it, so that child is the process doing the service's work; bash execs it instead.
    public static func isSimple(_ text: String) -> Bool {
        let special: Set<Character> = [";", "&", "|", "\n", "(", ")", "`", "<", ">", "{", "}"]
        if text.contains(where: { special.contains($0) }) || text.containsText("$(") { return false }
        let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        let keywords: Set<String> = ["while", "until", "for", "if", "case", "exec", "!"]
        return !first.isEmpty && !keywords.contains(first) && !first.contains("=")
    }
}
