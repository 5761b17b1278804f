import ArgumentParser
import Foundation
import Lineage

/// `lineage verify --recompute`: the analysis a result records (its command line, with the seeds
/// and every option it was given), run again on a store, and what differs from the recorded result.
enum RecordedAnalysis {
    /// Runs the analysis `recorded` states again on the store at `storePath` and lists the
    /// top-level fields of the result that differ (empty: the same result, number for number).
    static func differences(from recorded: ReportSubject, storePath: String) throws -> [String] {
        let command = recordedCommand(recorded)
        let arguments = Array(Reproducibility.arguments(of: command).dropFirst())
        let parsed: ParsableCommand
        do {
            parsed = try LineageCommand.parseAsRoot(arguments)
        } catch {
            throw ValidationError("cannot read the recorded command `\(command)` (\(error))\n  fix: the result was written by another Lineage version; rerun the command by hand")
        }
        let store = try ResponseStore(path: storePath, readsFeatureCache: false, busyNotice: { warn($0) })
        let again: ReportSubject
        switch parsed {
        case var attribute as AttributeCommand:
            attribute.storeOptions.store = storePath
            again = .attribution(try attribute.analyse(store: store).0)
        case var equality as EqualityCommand:
            equality.storeOptions.store = storePath
            again = .equality(try equality.analyse(store: store).0)
        default:
            throw ValidationError("--recompute re-runs `lineage attribute` and `lineage equality` results; this one was made by `\(command)`\n  fix: rerun that command by hand and compare")
        }
        let before = try normalised(recorded), after = try normalised(again.withRootHash(nil))
        return Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
    }

    static func recordedCommand(_ subject: ReportSubject) -> String {
        switch subject {
        case .attribution(let result): result.reproducibility.command
        case .equality(let result): result.reproducibility.command
        case .comparison(let result): result.reproducibility.command
        case .servedSample(let result): result.reproducibility.command
        case .radioactivity(let result): result.reproducibility.command
        }
    }

    /// Each top-level field of the result as JSON, leaving out what describes the run rather than
    /// the result: when and where it ran (date, store path, command line, tool and BLAS), the root
    /// hash, and what the report writer adds (highlights, data quality).
    static func normalised(_ subject: ReportSubject) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(try subject.json().utf8)) as? [String: Any] ?? [:]
        var fields: [String: String] = [:]
        for (key, value) in object where !["root_hash", "highlights", "data_quality"].contains(key) {
            var value = value
            if key == "reproducibility", var reproducibility = value as? [String: Any] {
                for volatile in ["created_at", "store", "command", "tool_version", "blas", "blas_core_type"] { reproducibility[volatile] = nil }
                // The study file a result came from is not part of the analysis the command line re-runs.
                if var configuration = reproducibility["configuration"] as? [String: Any] {
                    configuration[StudyCommand.studyKey] = nil
                    reproducibility["configuration"] = configuration
                }
                value = reproducibility
            }
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            fields[key] = String(decoding: data, as: UTF8.self)
        }
        return fields
    }
}
