import Foundation

/// Escaping for text from data (model names, probes, answers): every such string goes through
/// one of these before it reaches a page, a terminal or a CSV file. A response is untrusted input.
/// Control characters and bidirectional overrides show as `\uXXXX` everywhere (`UnsafeCharacters`).
public enum Escape {
    /// HTML and SVG (XML) text and attribute values: `&`, `<`, `>`, `"` and `'` as entities,
    /// control characters other than tab and line breaks and bidirectional overrides as `\uXXXX`.
    public static func html(_ text: String) -> String {
        let text = UnsafeCharacters.visible(text, keeping: ["\n", "\t", "\r"])
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

    /// A Markdown table cell: the same as inline text (pipes escaped, line breaks as spaces).
    public static func markdownCell(_ text: String) -> String { markdownInline(text) }

    /// Inline Markdown text (a heading, a table cell, a sentence): one line (line breaks as
    /// spaces, so no fence or heading can start), HTML neutralised, Markdown's emphasis, code,
    /// link and strike-through characters escaped (with `[` and `]` escaped, neither `![...](...)`
    /// nor `[...](...)` can form), and no autolink (`://`, `www.` and `@` broken up), so no name
    /// can become a remote image or a link.
    public static func markdownInline(_ text: String) -> String {
        let line = UnsafeCharacters.visible(
            text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "\r", with: " "), keeping: ["\t"])
        var out = ""
        for character in line {
            if "\\`*_[]#|~@".contains(character) { out.append("\\") }
            out.append(character)
        }
        out = out.replacingOccurrences(of: "://", with: ":\\/\\/").replacingOccurrences(of: "www.", with: "www\\.")
            .replacingOccurrences(of: "WWW.", with: "WWW\\.")
        return markdownHTML(out)
    }

    /// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading
    /// `=`, `+`, `-`, `@`, tab or carriage return (which spreadsheets run as a formula) behind a
    /// `'`; control characters and bidirectional overrides as `\uXXXX`.
    public static func csvField(_ text: String) -> String {
        var field = UnsafeCharacters.visible(text, keeping: ["\n"])
        if let first = field.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) { field = "'" + field }
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) {
            field = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }

    /// A line for a terminal: control characters (escape sequences, carriage returns) and
    /// bidirectional overrides as `\uXXXX`, line breaks and tabs kept.
    public static func terminal(_ text: String) -> String {
        UnsafeCharacters.visible(text, keeping: ["\n", "\t"])
    }

    /// A fenced code block that no backtick run in `text` can close early, control characters
    /// (other than line breaks and tabs) and bidirectional overrides shown as `\uXXXX`.
    public static func markdownFence(_ text: String) -> String {
        let text = UnsafeCharacters.visible(text.replacingOccurrences(of: "\r\n", with: "\n"), keeping: ["\n", "\t"])
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
