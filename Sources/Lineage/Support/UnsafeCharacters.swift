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
        guard mayHoldUnsafe(text, keeping: keeping),
              text.unicodeScalars.contains(where: { isUnsafe($0) && !keeping.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) && !keeping.contains(scalar) { out.append(contentsOf: escaped(scalar).unicodeScalars) }
            else { out.append(scalar) }
        }
        return String(out)
    }

    /// False when the UTF-8 bytes of `text` show that it holds no unsafe character outside `keeping`:
    /// one pass over the bytes, looking for ASCII controls and the lead bytes of the few multi-byte
    /// sequences `isUnsafe` names (C1 controls C2 80–9F, U+061C D8 9C, U+200E–U+202E and U+2028/9
    /// E2 80 xx, U+2066–U+2069 E2 81 A6–A9). True sends the text to the scalar check.
    static func mayHoldUnsafe(_ text: String, keeping: Set<Unicode.Scalar>) -> Bool {
        var text = text
        // Native strings are contiguous UTF-8 (`makeContiguousUTF8` copies only a bridged one), so
        // the scan reads the bytes in place instead of copying a whole report into an array.
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { scan($0, keeping: keeping) } ?? true
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, keeping: Set<Unicode.Scalar>) -> Bool {
        let keepsNewline = keeping.contains("\n"), keepsTab = keeping.contains("\t")
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x20 {
                if !((b == 0x0A && keepsNewline) || (b == 0x09 && keepsTab)) { return true }
            } else if b == 0x7F {
                return true
            } else if b >= 0xC2, i + 1 < bytes.count {
                let next = bytes[i + 1]
                switch b {
                case 0xC2: if next <= 0x9F { return true }
                case 0xD8: if next == 0x9C { return true }
                case 0xE2:
                    guard i + 2 < bytes.count else { return true }
                    let last = bytes[i + 2]
                    switch (next, last) {
                    case (0x80, 0x8E...0x8F), (0x80, 0xA8...0xAE), (0x81, 0xA6...0xA9): return true
                    default: break
                    }
                default: break
                }
            }
            i += 1
        }
        return false
    }
}
