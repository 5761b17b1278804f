import Foundation

/// Removes secrets (API keys) from any text before it is stored, logged or shown.
///
/// Keys travel only in HTTP headers, never in bodies or URLs; this is the second line of defence
/// for servers that echo a request back (in an answer, an error or a header dump), and for error
/// messages of the HTTP stack. A secret is found in every form a server is likely to write it in,
/// and in any mix of them, character by character:
/// - raw;
/// - JSON-escaped: `\uXXXX` (either case, surrogate pairs for characters outside the BMP) or a
///   short escape (`\"`, `\\`, `\/`, `\n`, ...), with any number of backslashes before it (a JSON
///   string inside a JSON string);
/// - URL-encoded: `%XX` per UTF-8 byte (also `%25XX`, encoded twice), `+` for a space;
/// - HTML numeric character references: `&#115;`, `&#x73;`.
///
/// Secrets of any length are redacted. A short one may also match ordinary text, which is then
/// redacted too: a lost word in an answer is a smaller harm than a key in a report
/// (`isShort` lets a caller warn about it).
public struct SecretRedactor: Sendable {
    public static let placeholder = "[REDACTED]"
    /// Below this length a secret may well occur in ordinary text.
    public static let shortSecretLength = 8
    /// Each secret, longest first.
    private let secrets: [Pattern]

    /// A secret's characters in the encodings the matcher compares, computed once.
    private struct Pattern: Sendable {
        let scalars: [Unicode.Scalar]
        let utf8: [[UInt8]]
        let utf16: [[UInt16]]
        /// Bytes a match can start with.
        let starts: [Bool]

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
            utf8 = scalars.map { Array(String($0).utf8) }
            utf16 = scalars.map { Array(String($0).utf16) }
            var starts = [Bool](repeating: false, count: 256)
            starts[Int(utf8[0][0])] = true
            for byte in "\\%&".utf8 { starts[Int(byte)] = true }
            if scalars[0] == " " { starts[Int(UInt8(ascii: "+"))] = true }
            self.starts = starts
        }
    }

    public init(secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets {
            forms.insert(secret)
            // An environment variable read from a file often keeps its newline; the header does not.
            forms.insert(secret.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        forms.remove("")
        self.secrets = forms.sorted { ($0.unicodeScalars.count, $0) > ($1.unicodeScalars.count, $1) }
            .map(Pattern.init)
    }

    /// Whether there is nothing to redact.
    public var isEmpty: Bool { secrets.isEmpty }

    /// Whether a secret is so short that redacting it may alter ordinary text.
    public static func isShort(_ secret: String) -> Bool {
        secret.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars.count < shortSecretLength
    }

    public func redact(_ text: String) -> String {
        if secrets.isEmpty || text.isEmpty { return text }
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var copiedUpTo = 0
        var position = 0
        let placeholder = Array(Self.placeholder.utf8)
        while position < bytes.count {
            var end: Int?
            for secret in secrets where secret.starts[Int(bytes[position])] {
                if let found = Self.match(secret, 0, in: bytes, at: position) { end = found; break }
            }
            if let end, end > position {
                if output.isEmpty { output.reserveCapacity(bytes.count) }
                output.append(contentsOf: bytes[copiedUpTo..<position])
                output.append(contentsOf: placeholder)
                copiedUpTo = end
                position = end
            } else {
                position += 1
            }
        }
        if copiedUpTo == 0 { return text }
        output.append(contentsOf: bytes[copiedUpTo...])
        return String(decoding: output, as: UTF8.self)
    }

    @_disfavoredOverload
    public func redact(_ text: String?) -> String? { text.map { redact($0) } }

    /// Every string in a JSON value (keys included) redacted.
    public func redact(_ json: WireJSON) -> WireJSON {
        switch json {
        case .string(let value): .string(redact(value))
        case .array(let values): .array(values.map { redact($0) })
        case .object(let object):
            .object(Dictionary(object.map { (redact($0.key), redact($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .number: json
        }
    }

    /// Whether any secret occurs in `text` in any of its forms.
    public func occurs(in text: String) -> Bool { redact(text) != text }

    // MARK: - Matching

    /// The end of `secret[index...]` matched at `position` of `bytes`, trying each form of each
    /// character (with backtracking), or nil.
    private static func match(_ secret: Pattern, _ index: Int, in bytes: [UInt8], at position: Int) -> Int? {
        if index == secret.scalars.count { return position }
        guard position < bytes.count else { return nil }
        let utf8 = secret.utf8[index]
        // Raw.
        if bytes.count - position >= utf8.count, bytes[position..<(position + utf8.count)].elementsEqual(utf8),
           let found = match(secret, index + 1, in: bytes, at: position + utf8.count) {
            return found
        }
        let scalar = secret.scalars[index]
        let end: Int?
        switch bytes[position] {
        case UInt8(ascii: "\\"): end = jsonEscape(scalar, secret.utf16[index], in: bytes, at: position)
        case UInt8(ascii: "%"), UInt8(ascii: "+"): end = percentEncoded(utf8, in: bytes, at: position)
        case UInt8(ascii: "&"): end = characterReference(scalar, in: bytes, at: position)
        default: end = nil
        }
        return end.flatMap { match(secret, index + 1, in: bytes, at: $0) }
    }

    /// `\…\uXXXX` (or a pair for a scalar outside the BMP) or `\…\"`-style short escape.
    private static func jsonEscape(_ scalar: Unicode.Scalar, _ utf16: [UInt16], in bytes: [UInt8], at start: Int) -> Int? {
        var units = utf16[...]
        var position = start
        while !units.isEmpty {
            var slashes = position
            while slashes < bytes.count, bytes[slashes] == UInt8(ascii: "\\") { slashes += 1 }
            guard slashes > position, slashes < bytes.count else { return nil }
            let unit = units.removeFirst()
            if bytes[slashes] == UInt8(ascii: "u") || bytes[slashes] == UInt8(ascii: "U") {
                guard let value = hexValue(bytes, from: slashes + 1, count: 4), value == Int(unit) else { return nil }
                position = slashes + 5
            } else if let short = shortEscape(bytes[slashes]), units.isEmpty, short == scalar {
                position = slashes + 1
            } else {
                return nil
            }
        }
        return position
    }

    private static func shortEscape(_ byte: UInt8) -> Unicode.Scalar? {
        switch byte {
        case UInt8(ascii: "\""): "\""
        case UInt8(ascii: "\\"): "\\"
        case UInt8(ascii: "/"): "/"
        case UInt8(ascii: "n"): "\n"
        case UInt8(ascii: "t"): "\t"
        case UInt8(ascii: "r"): "\r"
        case UInt8(ascii: "b"): "\u{08}"
        case UInt8(ascii: "f"): "\u{0C}"
        default: nil
        }
    }

    /// `%XX` for each UTF-8 byte (or `%25XX`, encoded twice), `+` for a space.
    private static func percentEncoded(_ utf8: [UInt8], in bytes: [UInt8], at start: Int) -> Int? {
        if utf8 == [UInt8(ascii: " ")], bytes[start] == UInt8(ascii: "+") { return start + 1 }
        var position = start
        for byte in utf8 {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "%") else { return nil }
            var digits = position + 1
            if hexValue(bytes, from: digits, count: 2) == 0x25, hexValue(bytes, from: digits + 2, count: 2) == Int(byte) {
                digits += 2
            }
            guard hexValue(bytes, from: digits, count: 2) == Int(byte) else { return nil }
            position = digits + 2
        }
        return position
    }

    /// `&#115;` or `&#x73;` (the semicolon required).
    private static func characterReference(_ scalar: Unicode.Scalar, in bytes: [UInt8], at start: Int) -> Int? {
        guard start + 3 < bytes.count, bytes[start + 1] == UInt8(ascii: "#") else { return nil }
        var position = start + 2
        let hex = bytes[position] == UInt8(ascii: "x") || bytes[position] == UInt8(ascii: "X")
        if hex { position += 1 }
        var value = 0, digits = 0
        while position < bytes.count, digits < 8 {
            let digit = hex ? hexDigit(bytes[position]) : decimalDigit(bytes[position])
            guard let digit else { break }
            value = value * (hex ? 16 : 10) + digit
            digits += 1
            position += 1
        }
        guard digits > 0, position < bytes.count, bytes[position] == UInt8(ascii: ";"), value == Int(scalar.value) else { return nil }
        return position + 1
    }

    private static func hexValue(_ bytes: [UInt8], from start: Int, count: Int) -> Int? {
        guard start >= 0, start + count <= bytes.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard let digit = hexDigit(bytes[index]) else { return nil }
            value = value * 16 + digit
        }
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    private static func decimalDigit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }
}

extension SecretRedactor {
    /// Names of environment variables that hold credentials by convention.
    static func looksLikeCredential(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["API_KEY", "APIKEY", "_KEY", "_TOKEN", "_SECRET", "PASSWORD"].contains { upper.hasSuffix($0) }
    }

    /// Every secret the process holds: each model's key, whatever its length, and the value of
    /// every environment variable named like a credential (`…_API_KEY`, `…_KEY`, `…_TOKEN`,
    /// `…_SECRET`, `…PASSWORD`) of at least `shortSecretLength` characters (shorter values of
    /// variables no model uses would only mangle text).
    public static func heldSecrets(models: [ModelConfiguration], environment: [String: String]) -> [String] {
        var secrets: [String] = []
        for model in models {
            if let key = environment[model.keyVariable], !key.isEmpty { secrets.append(key) }
        }
        for (name, value) in environment where looksLikeCredential(name) && !isShort(value) {
            secrets.append(value)
        }
        return secrets
    }
}
