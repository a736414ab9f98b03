import Foundation

/// Prometheus' text exposition format (version 0.0.4), written family by family.
struct PrometheusExposition {
    enum MetricType: String {
        case counter, gauge, histogram
    }

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var text = ""

    /// Writes a metric family: its `# HELP` and `# TYPE` lines, then one line per sample.
    mutating func family(_ name: String, type: MetricType, help: String, samples: [(labels: [String: String], value: Double)]) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
        for sample in samples {
            self.sample(name, labels: sample.labels, value: sample.value)
        }
    }

    /// Writes a histogram family: per label set, cumulative `_bucket` lines with `le`, then `_sum` and `_count`.
    mutating func histogram(
        _ name: String, help: String, bounds: [Double],
        series: [(labels: [String: String], bucketCounts: [Int], sum: Double)]
    ) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) histogram\n"
        for entry in series {
            var cumulative = 0
            for (index, count) in entry.bucketCounts.enumerated() {
                cumulative += count
                let bound = index < bounds.count ? Self.number(bounds[index]) : "+Inf"
                sample("\(name)_bucket", labels: entry.labels.merging(["le": bound]) { $1 }, value: Double(cumulative))
            }
            sample("\(name)_sum", labels: entry.labels, value: entry.sum)
            sample("\(name)_count", labels: entry.labels, value: Double(cumulative))
        }
    }

    private mutating func sample(_ name: String, labels: [String: String], value: Double) {
        text += name
        if !labels.isEmpty {
            // `le` last, as Prometheus' own clients write it; the rest by name, for stable output.
            let ordered = labels.sorted { ($0.key == "le" ? 1 : 0, $0.key) < ($1.key == "le" ? 1 : 0, $1.key) }
            text += "{" + ordered.map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.number(value))\n"
    }

    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    private static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func escapeLabel(_ text: String) -> String {
        escapeHelp(text).replacingOccurrences(of: "\"", with: "\\\"")
    }
}
