import Foundation

/// A result as CSV (one row per test) and as JUnit XML (one test case per study), for
/// spreadsheets and for CI systems that read test reports.
public enum ResultFormats {
    public static let csvHeader = ["study", "verdict", "alpha", "test", "used_in_verdict", "statistic", "p_value", "p_value_floor",
                                   "effect", "ci_low", "ci_high", "ci_level"]

    /// One row per test of each study; a comparison (no tests) gives its distance matrix instead.
    public static func csv(_ subjects: [ReportSubject]) -> String {
        if subjects.count == 1, case .comparison(let r) = subjects[0] {
            var out = (["model"] + r.distances.names).map(Escape.csvField).joined(separator: ",") + "\n"
            for (name, row) in zip(r.distances.names, r.distances.values) {
                out += ([Escape.csvField(name)] + row.map { String(format: "%.6f", $0) }).joined(separator: ",") + "\n"
            }
            return out
        }
        var out = csvHeader.joined(separator: ",") + "\n"
        for subject in subjects {
            let (name, verdict, alpha, tests) = parts(subject)
            for test in tests {
                let effect = test.effect
                let cells: [String] = [
                    Escape.csvField(name), verdict?.rawValue ?? "", alpha.map(number) ?? "", Escape.csvField(test.name),
                    test.usedInVerdict.map { $0 ? "true" : "false" } ?? "", number(test.statistic), number(test.pValue),
                    test.pValueFloor.map(number) ?? "", effect.map { number($0.estimate) } ?? "", effect.map { number($0.ciLow) } ?? "",
                    effect.map { number($0.ciHigh) } ?? "", effect.map { number($0.level) } ?? "",
                ]
                out += cells.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// JUnit XML: a study with the verdict `evidence` is a failure, `inconclusive` is skipped, `no-evidence` passes.
    public static func junit(_ subjects: [ReportSubject], suite: String) -> String {
        let cases = subjects.map(parts)
        let failures = cases.filter { $0.verdict == .evidence }.count
        let skipped = cases.filter { $0.verdict == .inconclusive }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"lineage\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        out += "  <testsuite name=\"\(xml(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\">\n"
        for (subject, (name, verdict, alpha, tests)) in zip(subjects, cases) {
            out += "    <testcase classname=\"\(xml(suite))\" name=\"\(xml(name))\">\n"
            let p = tests.first.map { "p = \(number($0.pValue))" } ?? ""
            let text = xml(explanation(subject))
            switch verdict {
            case .evidence?:
                out += "      <failure type=\"evidence\" message=\"\(xml("evidence: \(p) ≤ α = \(alpha.map(number) ?? "?")"))\">\(text)</failure>\n"
            case .inconclusive?:
                out += "      <skipped message=\"\(xml("inconclusive: \(p)"))\"/>\n      <system-out>\(text)</system-out>\n"
            case .noEvidence?, nil:
                out += "      <system-out>\(text)</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    static func parts(_ subject: ReportSubject) -> (name: String, verdict: Verdict?, alpha: Double?, tests: [HypothesisTestResult]) {
        switch subject {
        case .attribution(let r): ("\(r.suspect) ← \(r.namedReferences.joined(separator: ", "))", r.verdict, r.alpha, r.tests)
        case .equality(let r): ("\(r.modelA) = \(r.modelB)", r.verdict, r.alpha, [r.test])
        case .comparison(let r): ("tree of \(r.models.count) models", nil, nil, [])
        case .servedSample(let r): ("\(r.suspect) ← served by \(r.snapshot)", r.verdict, r.alpha, [r.test])
        case .radioactivity(let r): ("\(r.suspect) ← canary key \(r.keyFingerprint)", r.verdict, r.alpha, [r.test])
        }
    }

    static func explanation(_ subject: ReportSubject) -> String {
        switch subject {
        case .attribution(let r): r.verdictExplanation
        case .equality(let r): r.verdictExplanation
        case .comparison(let r): r.question
        case .servedSample(let r): r.verdictExplanation
        case .radioactivity(let r): r.verdictExplanation
        }
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }

    /// Text for XML attributes and elements; control characters (invalid in XML 1.0) and
    /// bidirectional overrides show as escapes, as in every other output (`UnsafeCharacters`).
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in UnsafeCharacters.visible(text, keeping: ["\n", "\t"]).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
