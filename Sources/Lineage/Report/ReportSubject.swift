import Foundation

/// What every result a report can be about says of itself.
public protocol ReportableResult: Codable, Sendable {
    /// The `schema` value its `result.json` carries.
    static var schemaName: String { get }
    var schema: String { get }
    /// The verdict (nil for a result that has none, such as a comparison).
    var reportedVerdict: Verdict? { get }
    /// The models it is about, in the order a report lists them.
    var reportedModels: [String] { get }
    /// The probes (by content hash) it names in per-probe effects and highlights: a manifest must cover each.
    var namedProbeHashes: Set<String> { get }
    /// The root hash of the report it was written in, if any.
    var rootHash: String? { get set }
}

extension ReportableResult {
    /// A saved result of this kind, read from `data`.
    static func decodedSubject(from data: Data) throws -> ReportSubject {
        ReportSubject(try LineageJSON.decoder.decode(Self.self, from: data))
    }
}

extension AttributionResult: ReportableResult {
    public var reportedVerdict: Verdict? { verdict }
    public var reportedModels: [String] { [suspect] + namedReferences + namedAlternativeReferences + controls }
    public var namedProbeHashes: Set<String> {
        Set(tests.flatMap { ($0.perProbe ?? []).map(\.probeHash) } + (highlights ?? []).map(\.probeHash))
    }
}

extension EqualityResult: ReportableResult {
    public var reportedVerdict: Verdict? { verdict }
    public var reportedModels: [String] { [modelA, modelB] }
    public var namedProbeHashes: Set<String> { Set((test.perProbe ?? []).map(\.probeHash) + (highlights ?? []).map(\.probeHash)) }
}

extension ModelComparisonResult: ReportableResult {
    public var reportedVerdict: Verdict? { nil }
    public var reportedModels: [String] { models }
    public var namedProbeHashes: Set<String> { [] }
}

extension ServedSampleResult: ReportableResult {
    public var reportedVerdict: Verdict? { verdict }
    public var reportedModels: [String] { [suspect, served, fresh] }
    public var namedProbeHashes: Set<String> { Set((test.perProbe ?? []).map(\.probeHash) + (highlights ?? []).map(\.probeHash)) }
}

extension RadioactivityResult: ReportableResult {
    public var reportedVerdict: Verdict? { verdict }
    public var reportedModels: [String] { [suspect] }
    public var namedProbeHashes: Set<String> { Set((test.perProbe ?? []).map(\.probeHash)) }
}

/// The result a report is about: an attribution, an equality test, a multi-model comparison, a
/// served-sample test or a canary (radioactivity) test.
public enum ReportSubject: Sendable, Equatable {
    case attribution(AttributionResult)
    case equality(EqualityResult)
    case comparison(ModelComparisonResult)
    case servedSample(ServedSampleResult)
    case radioactivity(RadioactivityResult)

    /// The result behind the case: everything the report machinery asks of it goes through
    /// `ReportableResult`, so a new kind of study adds a case here and a conformance, nothing else.
    public var result: any ReportableResult {
        switch self {
        case .attribution(let result): result
        case .equality(let result): result
        case .comparison(let result): result
        case .servedSample(let result): result
        case .radioactivity(let result): result
        }
    }

    /// The case holding `result`.
    public init(_ result: any ReportableResult) {
        switch result {
        case let r as AttributionResult: self = .attribution(r)
        case let r as EqualityResult: self = .equality(r)
        case let r as ModelComparisonResult: self = .comparison(r)
        case let r as ServedSampleResult: self = .servedSample(r)
        case let r as RadioactivityResult: self = .radioactivity(r)
        default: preconditionFailure("\(type(of: result)) conforms to ReportableResult but has no case in ReportSubject")
        }
    }

    /// Every kind of result a report can be about, by the schema its `result.json` names.
    public static let resultTypes: [any ReportableResult.Type] = [
        AttributionResult.self, EqualityResult.self, ModelComparisonResult.self, ServedSampleResult.self, RadioactivityResult.self,
    ]

    public var schema: String { result.schema }

    /// The verdict (a comparison has none).
    public var verdict: Verdict? { result.reportedVerdict }

    /// The models the result is about, in the order a report lists them.
    public var models: [String] { result.reportedModels }

    /// The probes (by content hash) the result names in its per-probe effects and highlights:
    /// a manifest must cover each.
    public var namedProbeHashes: Set<String> { result.namedProbeHashes }

    /// The root hash of the report this result was written in, if any.
    public var rootHash: String? { result.rootHash }

    /// The same result stating `root` as its report's root hash.
    public func withRootHash(_ root: String?) -> ReportSubject {
        var changed = result
        changed.rootHash = root
        return ReportSubject(changed)
    }

    /// The result as `result.json` holds it: `LineageJSON`, with its schema name inside.
    public func json() throws -> String { try LineageJSON.string(result) }

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
            guard let type = Self.resultTypes.first(where: { $0.schemaName == header.schema }) else {
                throw ReportError(file: file, problem: "unknown schema \(header.schema.map { "\"\($0)\"" } ?? "(no \"schema\" field)")",
                                  fix: "expected one of \(Self.resultTypes.map { $0.schemaName }.joined(separator: ", "))")
            }
            return try type.decodedSubject(from: data)
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
