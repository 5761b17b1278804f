import Crypto
import Foundation

/// An Ed25519 signature of a report's root hash, tying the report to whoever holds the key.
///
/// The signed message is the root hash as UTF-8 text (64 hex characters): the root covers every
/// probe, response, the result and each report file, so one signature covers them all.
public struct ReportSignature: Codable, Sendable, Equatable {
    public var algorithm = "Ed25519"
    /// The signer's public key, 32 bytes as hex.
    public var publicKey: String
    /// The signature of the root hash's UTF-8 text, 64 bytes as hex.
    public var signature: String

    public init(publicKey: String, signature: String) {
        self.publicKey = publicKey
        self.signature = signature
    }

    /// Signs `rootHash` with the private key in `keyFile` (written by `lineage keys create`).
    public static func sign(rootHash: String, keyFile: String) throws -> ReportSignature {
        let key = try SigningKey.load(keyFile)
        let signature = try key.signature(for: Data(rootHash.utf8))
        return ReportSignature(publicKey: hex(key.publicKey.rawRepresentation), signature: hex(signature))
    }

    /// Whether the signature is a valid one of `rootHash` by `publicKey`.
    public func isValid(for rootHash: String) -> Bool {
        guard algorithm == "Ed25519", let keyBytes = Self.bytes(hex: publicKey), let signatureBytes = Self.bytes(hex: signature),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else { return false }
        return key.isValidSignature(signatureBytes, for: Data(rootHash.utf8))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> Data? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var data = Data()
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let byte = UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            data.append(byte)
        }
        return data
    }
}

/// A private Ed25519 key in a file of its own: 64 hex characters and a newline, readable by its owner only.
public enum SigningKey {
    /// Makes a new key at `path` (refusing to overwrite one) and returns its public key as hex.
    public static func create(_ path: String) throws -> String {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReportError(file: path, problem: "a file is already there", fix: "choose another path, or use the key it holds (`lineage keys show`)")
        }
        let key = Curve25519.Signing.PrivateKey()
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        try Data((ReportSignature.hex(key.rawRepresentation) + "\n").utf8).write(to: url)
        return ReportSignature.hex(key.publicKey.rawRepresentation)
    }

    public static func load(_ path: String) throws -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let bytes = ReportSignature.bytes(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes) else {
            throw ReportError(file: path, problem: "not a signing key (64 hex characters)", fix: "make one with `lineage keys create --key \(path)`")
        }
        return key
    }

    /// The public key of the private key at `path`, as hex.
    public static func publicKey(_ path: String) throws -> String {
        ReportSignature.hex(try load(path).publicKey.rawRepresentation)
    }
}
