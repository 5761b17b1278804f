import Crypto
import Foundation
@testable import Lineage

/// The hashing code as it stood before the fast canonical-JSON writer (JSONEncoder with sorted
/// keys, `String(format:)` hex), kept as the reference the fast path must match bit for bit.
enum NaiveContentHash {
    static func sha256(_ text: String) -> String {
        sha256(Data(text.utf8))
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func of<T: Encodable>(_ value: T) -> String {
        sha256(canonicalJSON(value))
    }

    static func canonicalJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    /// `SamplingParameters.key`.
    static func parametersKey(_ parameters: SamplingParameters) -> String {
        canonicalJSON(parameters)
    }

    /// `ProbeContent.contentHash`.
    static func probeHash(_ probe: ProbeContent) -> String {
        of(probe)
    }

    /// `ResponseRecord.computeContentHash`.
    static func responseHash(model: String, probeHash: String, sampleIndex: Int,
                             parameters: SamplingParameters, status: ResponseRecord.Status,
                             turns: [String], error: String?) -> String {
        struct Identity: Encodable {
            let model: String
            let probe: String
            let sample: Int
            let parameters: SamplingParameters
            let status: String
            let turns: [String]
            let error: String?
        }
        return of(Identity(model: model, probe: probeHash, sample: sampleIndex,
                           parameters: parameters, status: status.rawValue,
                           turns: turns, error: error))
    }

    /// How GRDB writes a Codable JSON column (its default `JSONEncoder`: sorted keys, "/" escaped).
    static func databaseJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}
