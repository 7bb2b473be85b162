/// What this binary is, for `--version` and `pcinit_build_info`.
public enum BuildInfo {
    public static let version = "0.1.0"
}
