import Foundation

/// Escaping for text from data (model names, probes, answers): every such string goes through
/// one of these before it reaches a page. A response is untrusted input.
public enum Escape {
    /// HTML and SVG (XML) text and attribute values: `&`, `<`, `>`, `"` and `'` as entities,
    /// control characters other than tab and newline dropped.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `&`, `<` and `>` as entities: Markdown renderers pass raw HTML through, and quotes
    /// need no escaping outside attributes (so the raw text stays readable).
    static func markdownHTML(_ text: String) -> String {
        html(text).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
    }

    /// A Markdown table cell: pipes escaped, line breaks as spaces, HTML neutralised.
    public static func markdownCell(_ text: String) -> String {
        markdownHTML(text).replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// Inline Markdown text: HTML neutralised, Markdown's emphasis, code and link characters escaped.
    public static func markdownInline(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_[]#|".contains(character) { out.append("\\") }
            out.append(character)
        }
        return markdownHTML(out)
    }

    /// A fenced code block that no backtick run in `text` can close early.
    public static func markdownFence(_ text: String) -> String {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + "text\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence
    }
}

/// Numbers as reports print them.
enum Format {
    static func p(_ value: Double) -> String {
        if value.isNaN { return "n/a" }
        return value >= 0.001 ? String(format: "%.4f", value) : String(format: "%.2e", value)
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "n/a" }
        if value == 0 { return "0" }
        return abs(value) >= 0.001 && abs(value) < 100_000 ? String(format: "%.4g", value) : String(format: "%.3e", value)
    }

    static func interval(_ effect: EffectEstimate) -> String {
        "\(number(effect.estimate)) [\(number(effect.ciLow)), \(number(effect.ciHigh))] (\(Int((effect.level * 100).rounded()))% CI)"
    }

    static func date(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
