/// Prometheus text exposition format 0.0.4: every family once, `# HELP` and `# TYPE` before its samples.
struct PrometheusText {
    enum MetricType: String {
        case gauge, counter
    }

    /// One sample: its labels in order, and its value as text.
    struct Sample {
        var labels: [(name: String, value: String)]
        var value: String

        init(_ labels: [(name: String, value: String)], _ value: String) {
            self.labels = labels
            self.value = value
        }

        /// A per-service sample (`{service="web"}`).
        init(service: String, _ value: String) { self.init([("service", service)], value) }
    }

    private(set) var text = ""

    /// A family with labelled samples; skipped entirely when it has none.
    mutating func family(_ name: String, _ type: MetricType, _ help: String, _ samples: [Sample]) {
        guard !samples.isEmpty else { return }
        header(name, type, help)
        for sample in samples {
            let labels = sample.labels.map { "\($0.name)=\"\(Self.escapeLabelValue($0.value))\"" }
            text += "\(name){\(labels.joined(separator: ","))} \(sample.value)\n"
        }
    }

    /// A family with one unlabelled sample.
    mutating func family(_ name: String, _ type: MetricType, _ help: String, _ value: String) {
        header(name, type, help)
        text += "\(name) \(value)\n"
    }

    private mutating func header(_ name: String, _ type: MetricType, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// Label values escape backslash, double quote and line feed (the format's only escapes).
    static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Shortest round-tripping decimal; whole numbers without a fraction (`12`, `12.5`).
    static func number(_ value: Double) -> String {
        if value == value.rounded(.towardZero) && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
