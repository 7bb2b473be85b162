// Embedded Swift prints an interpolated value that is neither CustomStringConvertible nor TextOutputStreamable (an
// Optional, a plain enum, a tuple, a Duration) as "(cannot print value in embedded Swift)", without a diagnostic.
// This overload shadows the stdlib's unconstrained one inside InitCore, so every such interpolation gets a
// deprecation warning in both builds (a Duration only in the Embedded one, where it has no description). It prints
// what the stdlib would; an `unavailable` overload would not shadow, so a warning is the strongest guard available.
extension DefaultStringInterpolation {
    @available(*, deprecated, message: "no description in Embedded Swift: give the type one or interpolate a String")
    mutating func appendInterpolation<T>(_ value: T) {
        #if hasFeature(Embedded)
            appendLiteral("(cannot print value in embedded Swift)")
        #else
            appendLiteral(String(describing: value))
        #endif
    }
}
