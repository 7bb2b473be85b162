/// A scalar's value under the YAML 1.2 core schema.
public enum CoreScalar: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
}

/// Resolution rules of the YAML 1.2 core schema (not YAML 1.1: `yes`/`no`/`on`/`off` stay strings).
enum CoreSchema {
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// Decimal `[-+]?[0-9]+`, octal `0o[0-7]+`, hexadecimal `0x[0-9a-fA-F]+`; nil if not one or if out of range.
    static func integer(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first else { return nil }
        if utf8.count > 2 && first == Byte.zero && (utf8[1] == UInt8(ascii: "o") || utf8[1] == UInt8(ascii: "x")) {
            let isHex = utf8[1] == UInt8(ascii: "x")
            let digits = utf8[2...]
            let valid = digits.allSatisfy {
                isHex ? Byte.hexValue($0) != nil : ($0 >= Byte.zero && $0 <= UInt8(ascii: "7"))
            }
            guard valid else { return nil }
            return Int64(String(decoding: digits, as: UTF8.self), radix: isHex ? 16 : 8)
        }
        guard isDecimal(utf8) else { return nil }
        return Int64(text)
    }

    static func isDecimal(_ utf8: [UInt8]) -> Bool {
        var digits = utf8[...]
        if let first = digits.first, first == Byte.dash || first == Byte.plus { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.allSatisfy(Byte.isDecimalDigit)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` and `.nan` in their three spellings.
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let utf8 = Array(text.utf8)
        var index = 0
        if index < utf8.count && (utf8[index] == Byte.dash || utf8[index] == Byte.plus) { index += 1 }
        let integerStart = index
        while index < utf8.count && Byte.isDecimalDigit(utf8[index]) { index += 1 }
        let integerDigits = index - integerStart
        var fractionDigits = 0
        if index < utf8.count && utf8[index] == Byte.dot {
            index += 1
            let fractionStart = index
            while index < utf8.count && Byte.isDecimalDigit(utf8[index]) { index += 1 }
            fractionDigits = index - fractionStart
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return nil }
        if index < utf8.count && (utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E")) {
            index += 1
            if index < utf8.count && (utf8[index] == Byte.dash || utf8[index] == Byte.plus) { index += 1 }
            let exponentStart = index
            while index < utf8.count && Byte.isDecimalDigit(utf8[index]) { index += 1 }
            guard index > exponentStart else { return nil }
        }
        guard index == utf8.count else { return nil }
        return Double(text)
    }

    /// An untagged plain scalar. A decimal integer too large for Int64 becomes a float rather than a string.
    static func resolvePlain(_ text: String) -> CoreScalar {
        // Most plain scalars are words; only these first bytes can begin a null, bool, int or float.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case Byte.zero...Byte.nine, Byte.plus, Byte.dash, Byte.dot, UInt8(ascii: "~"), UInt8(ascii: "n"),
            UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            break
        default:
            return .string(text)
        }
        if isNull(text) { return .null }
        if let value = bool(text) { return .bool(value) }
        if let value = integer(text) { return .int(value) }
        if let value = float(text) { return .float(value) }
        return .string(text)
    }
}

extension YAMLNode {
    /// YAML 1.2 core schema resolution of a scalar: plain scalars resolve null/bool/int/float; quoted and block
    /// scalars are strings; explicit tags !!str/!!int/!!float/!!bool/!!null honoured (the reader has already
    /// rejected values that do not fit their tag). Nil for collections.
    public var coreScalar: CoreScalar? {
        guard case .scalar(let text, let style) = content else { return nil }
        switch tag {
        case "!!str", "!": return .string(text)
        case "!!null": return .null
        case "!!bool": return CoreSchema.bool(text).map(CoreScalar.bool) ?? .string(text)
        case "!!int": return CoreSchema.integer(text).map(CoreScalar.int) ?? .string(text)
        case "!!float":
            if let value = CoreSchema.float(text) { return .float(value) }
            if let value = CoreSchema.integer(text) { return .float(Double(value)) }
            return .string(text)
        default: return style == .plain ? CoreSchema.resolvePlain(text) : .string(text)
        }
    }
}
