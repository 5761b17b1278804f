import Crypto
import Foundation

/// The secret behind a canary watermark: 32 random bytes, kept by the provider in a key file
/// (64 hex digits). The keyed choice at a unit is HMAC-SHA256(key, unit) reduced modulo the
/// number of forms; without the key the choices look like coin flips.
public struct CanaryKey: Sendable, Equatable {
    public let bytes: [UInt8]
    /// HMAC with the key already absorbed; each choice copies it (copy on write) and hashes the unit.
    private let prepared: HMAC<SHA256>

    public init(bytes: [UInt8]) {
        precondition(bytes.count >= 16, "a canary key needs at least 16 bytes")
        self.bytes = bytes
        prepared = HMAC<SHA256>(key: SymmetricKey(data: bytes))
    }

    public static func == (a: CanaryKey, b: CanaryKey) -> Bool { a.bytes == b.bytes }

    /// A new key from the system's cryptographic random source.
    public static func generate() -> CanaryKey {
        var generator = SystemRandomNumberGenerator()
        return CanaryKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The `index`-th random key of the radioactivity test's null, reproducible from `seed`.
    public static func random(seed: UInt64, index: Int) -> CanaryKey {
        CanaryKey(bytes: Array(SHA256.hash(data: Data("lineage canary null key \(seed) \(index)".utf8))))
    }

    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }

    public init(hex: String) throws {
        let digits = Array(hex.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard digits.count >= 32, digits.count % 2 == 0 else { throw CanaryError(problem: "a key is 64 hex digits (at least 32)") }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i..<(i + 2)], as: UTF8.self), radix: 16) else {
                throw CanaryError(problem: "a key holds hex digits only (0-9, a-f)")
            }
            bytes.append(byte)
        }
        self.init(bytes: bytes)
    }

    /// Reads a key file written by `lineage canary keygen`.
    public static func load(file path: String) throws -> CanaryKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CanaryError(file: path, problem: "cannot read the key file", fix: "pass the file `lineage canary keygen --output FILE` wrote")
        }
        do {
            return try CanaryKey(hex: text)
        } catch let error as CanaryError {
            throw CanaryError(file: path, problem: error.problem, fix: "pass the file `lineage canary keygen --output FILE` wrote")
        }
    }

    /// The keyed choice among `count` forms at the unit `unit` (a choice set and its context).
    public func choice(unit: String, count: Int) -> Int {
        choice(message: Data(unit.utf8), count: count)
    }

    func choice(message: Data, count: Int) -> Int {
        var mac = prepared
        mac.update(data: message)
        let code = mac.finalize()
        let word = code.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        return Int(word % UInt64(count))
    }
}

/// A canary input that cannot be used: what is wrong, where and how to fix it.
public struct CanaryError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var line: Int?
    public var problem: String
    public var fix: String?

    public init(file: String? = nil, line: Int? = nil, problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var text = ""
        if let file { text = line.map { "\(file):\($0): " } ?? "\(file): " }
        text += problem
        if let fix { text += "\n  fix: " + fix }
        return text
    }
}
