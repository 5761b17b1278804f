import Crypto
import Foundation

/// SHA-256 content hashes, the links of the chain from a report's numbers back to raw responses.
public enum ContentHash {
    /// Lower-case hex SHA-256 of UTF-8 text.
    public static func sha256(_ text: String) -> String {
        var text = text
        return text.withUTF8 { sha256(bytes: UnsafeRawBufferPointer($0)) }
    }

    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex SHA-256 of bytes.
    public static func sha256<Bytes: ContiguousBytes>(bytes: Bytes) -> String {
        bytes.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { digest in
            String(unsafeUninitializedCapacity: 2 * digest.count) { buffer in
                for (index, byte) in digest.enumerated() {
                    buffer[2 * index] = CanonicalJSONWriter.lowerHex[Int(byte >> 4)]
                    buffer[2 * index + 1] = CanonicalJSONWriter.lowerHex[Int(byte & 0x0F)]
                }
                return 2 * digest.count
            }
        }
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
