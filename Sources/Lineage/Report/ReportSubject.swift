import Foundation

/// The result a report is about: an attribution, an equality test or a multi-model comparison.
public enum ReportSubject: Sendable, Equatable {
    case attribution(AttributionResult)
    case equality(EqualityResult)
    case comparison(ModelComparisonResult)
    case servedSample(ServedSampleResult)
    case radioactivity(RadioactivityResult)

    public var schema: String {
        switch self {
        case .attribution(let result): result.schema
        case .equality(let result): result.schema
        case .comparison(let result): result.schema
        case .servedSample(let result): result.schema
        case .radioactivity(let result): result.schema
        }
    }

    /// The verdict (a comparison has none).
    public var verdict: Verdict? {
        switch self {
        case .attribution(let result): result.verdict
        case .equality(let result): result.verdict
        case .comparison: nil
        case .servedSample(let result): result.verdict
        case .radioactivity(let result): result.verdict
        }
    }

    /// The models the result is about, in the order a report lists them.
    public var models: [String] {
        switch self {
        case .attribution(let result):
            [result.suspect] + result.namedReferences + result.namedAlternativeReferences + result.controls
        case .equality(let result): [result.modelA, result.modelB]
        case .comparison(let result): result.models
        case .servedSample(let result): [result.suspect, result.served, result.fresh]
        case .radioactivity(let result): [result.suspect]
        }
    }

    /// The probes (by content hash) the result names in its per-probe effects and highlights:
    /// a manifest must cover each.
    public var namedProbeHashes: Set<String> {
        switch self {
        case .attribution(let result):
            Set(result.tests.flatMap { ($0.perProbe ?? []).map(\.probeHash) } + (result.highlights ?? []).map(\.probeHash))
        case .equality(let result):
            Set((result.test.perProbe ?? []).map(\.probeHash) + (result.highlights ?? []).map(\.probeHash))
        case .comparison: []
        case .servedSample(let result):
            Set((result.test.perProbe ?? []).map(\.probeHash) + (result.highlights ?? []).map(\.probeHash))
        case .radioactivity(let result): Set((result.test.perProbe ?? []).map(\.probeHash))
        }
    }

    /// The root hash of the report this result was written in, if any.
    public var rootHash: String? {
        switch self {
        case .attribution(let result): result.rootHash
        case .equality(let result): result.rootHash
        case .comparison(let result): result.rootHash
        case .servedSample(let result): result.rootHash
        case .radioactivity(let result): result.rootHash
        }
    }

    /// The same result stating `root` as its report's root hash.
    public func withRootHash(_ root: String?) -> ReportSubject {
        switch self {
        case .attribution(var result): result.rootHash = root; return .attribution(result)
        case .equality(var result): result.rootHash = root; return .equality(result)
        case .comparison(var result): result.rootHash = root; return .comparison(result)
        case .servedSample(var result): result.rootHash = root; return .servedSample(result)
        case .radioactivity(var result): result.rootHash = root; return .radioactivity(result)
        }
    }

    /// The result as `result.json` holds it: `LineageJSON`, with its schema name inside.
    public func json() throws -> String {
        switch self {
        case .attribution(let result): try LineageJSON.string(result)
        case .equality(let result): try LineageJSON.string(result)
        case .comparison(let result): try LineageJSON.string(result)
        case .servedSample(let result): try LineageJSON.string(result)
        case .radioactivity(let result): try LineageJSON.string(result)
        }
    }

    /// Reads a saved result, recognising it by its `schema` field.
    public static func decode(_ data: Data, file: String = "result.json") throws -> ReportSubject {
        struct Header: Decodable { let schema: String? }
        let header: Header
        do {
            header = try LineageJSON.decoder.decode(Header.self, from: data)
        } catch {
            throw ReportError(file: file, problem: "not a JSON object (\(error.localizedDescription))",
                              fix: "pass a result.json written by Lineage, or a report folder")
        }
        do {
            switch header.schema {
            case AttributionResult.schemaName: return .attribution(try LineageJSON.decoder.decode(AttributionResult.self, from: data))
            case EqualityResult.schemaName: return .equality(try LineageJSON.decoder.decode(EqualityResult.self, from: data))
            case ModelComparisonResult.schemaName: return .comparison(try LineageJSON.decoder.decode(ModelComparisonResult.self, from: data))
            case ServedSampleResult.schemaName: return .servedSample(try LineageJSON.decoder.decode(ServedSampleResult.self, from: data))
            case RadioactivityResult.schemaName: return .radioactivity(try LineageJSON.decoder.decode(RadioactivityResult.self, from: data))
            default:
                throw ReportError(file: file, problem: "unknown schema \(header.schema.map { "\"\($0)\"" } ?? "(no \"schema\" field)")",
                                  fix: "expected one of \(AttributionResult.schemaName), \(EqualityResult.schemaName), \(ModelComparisonResult.schemaName), \(ServedSampleResult.schemaName), \(RadioactivityResult.schemaName)")
            }
        } catch let error as ReportError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw ReportError(file: file, problem: "missing field \"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\"",
                              fix: "the file does not match schema \(header.schema ?? ""); regenerate it with the tool version that wrote it")
        } catch {
            throw ReportError(file: file, problem: "does not match schema \(header.schema ?? ""): \(error)",
                              fix: "regenerate the result with Lineage")
        }
    }
}

/// A report that cannot be read, written or verified: names the file, the problem and the fix.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var problem: String
    public var fix: String

    public init(file: String, problem: String, fix: String) {
        self.file = file
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(file): \(problem)\n  fix: \(fix)" }
}
