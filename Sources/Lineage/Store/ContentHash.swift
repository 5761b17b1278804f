import Crypto
import Foundation

/// SHA-256 content hashes, the links of the chain from a report's numbers back to raw responses.
public enum ContentHash {
    /// Lower-case hex SHA-256 of UTF-8 text.
    public static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Hash of a value's canonical JSON (sorted keys, no escaped slashes): equal values hash equally
    /// on every machine, whatever order their fields were written in.
    public static func of<T: Encodable>(_ value: T) -> String {
        sha256(canonicalJSON(value))
    }

    public static func canonicalJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
