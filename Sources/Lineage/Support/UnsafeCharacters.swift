import Foundation

/// Characters that make text show something other than what it holds: control characters
/// (terminal escape sequences, carriage returns, NUL), bidirectional overrides and isolates
/// (`ctl4 \u{202E}gpj.exe` shows as `ctl4 exe.jpg`), and the Unicode line and paragraph separators.
/// Names and probe ids may not hold them; every output shows them as `\uXXXX`.
public enum UnsafeCharacters {
    /// Bidirectional formatting characters: marks, embeddings, overrides and isolates.
    static let bidirectional: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                             0x2066, 0x2067, 0x2068, 0x2069]

    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || bidirectional.contains(value)
            || value == 0x2028 || value == 0x2029
    }

    /// The first unsafe character of `text` and its 1-based position in characters, if any.
    public static func first(in text: String) -> (scalar: Unicode.Scalar, position: Int)? {
        for (index, scalar) in text.unicodeScalars.enumerated() where isUnsafe(scalar) { return (scalar, index + 1) }
        return nil
    }

    /// `U+202E (RIGHT-TO-LEFT OVERRIDE)`.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + String(format: "%04X", scalar.value)
        let name = scalar.properties.name ?? scalar.properties.nameAlias
        return name.map { "\(code) (\($0))" } ?? "\(code) (a control character)"
    }

    /// `\uXXXX` for one character (what JSON would write, and what a reader can copy back).
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        "\\u" + String(format: "%04X", scalar.value)
    }

    /// `text` with every unsafe character except those in `keeping` shown as `\uXXXX`.
    public static func visible(_ text: String, keeping: Set<Unicode.Scalar> = ["\n", "\t"]) -> String {
        // Fast path for the common case (JSON, tables): printable ASCII and kept line breaks only.
        let keepsNewline = keeping.contains("\n"), keepsTab = keeping.contains("\t")
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || ($0 == 0x0A && keepsNewline) || ($0 == 0x09 && keepsTab) }) {
            return text
        }
        guard text.unicodeScalars.contains(where: { isUnsafe($0) && !keeping.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && !keeping.contains(scalar) { out.append(contentsOf: escaped(scalar).unicodeScalars) }
            else { out.append(scalar) }
        }
        return String(out)
    }
}
