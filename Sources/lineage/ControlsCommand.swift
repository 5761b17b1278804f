import ArgumentParser
import Foundation
import Lineage

struct ControlsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controls",
        abstract: "Rank the store's candidate controls for a suspect and a reference, and explain the ranking.",
        discussion: """
        A control must be a model known not to be trained on the reference maker's
        outputs (from `lineage models annotate`), and like the suspect in kind:
        answer length, formatting, and consensus with the other models' answers
        (a capability proxy). This command shows the panel `lineage attribute`
        would choose, every candidate it left out and why, and each candidate's
        own lean toward the reference (relative to the alternative reference): a
        control that leans toward the reference may itself have learnt from it,
        and hides such learning in the suspect.

        Example:
          lineage controls --suspect vicuna-13b-v1.3 --reference gpt-3.5-turbo
        """)

    @Option(help: "The model suspected of being trained on the reference's outputs.")
    var suspect: String

    @Option(help: "The reference model.")
    var reference: String

    @Option(name: .customLong("alternative-reference"), help: ArgumentHelp("An alternative reference (default: chosen as attribute would).", valueName: "model"))
    var alternativeReferences: [String] = []

    @Option(help: "How many controls to choose.")
    var controlCount: Int = 8

    @OptionGroup var output: OutputOptions

    @OptionGroup var storeOptions: StoreOptions

    struct Listing: Encodable {
        let schema = "lineage.panel/v1"
        let panel: StudyPanel
        let fit: PanelFit?
        let leans: [String: Double]
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        do {
            try store.requireModels([suspect, reference] + alternativeReferences)
            let planner = try StudyPlanner(store: store, models: [suspect, reference] + alternativeReferences)
            var builder = PanelBuilder()
            builder.controlCount = controlCount
            builder.allowReferenceCentric = true
            let plan = try planner.plan(suspect: suspect, references: [reference], alternativeReferences: alternativeReferences, builder: builder,
                                        capabilityBothSides: true)
            let panel = plan.panel, fit = plan.fit
            let suspectProbes = planner.commonProbes([suspect])
            let responses = planner.responses.filter { suspectProbes.contains($0.probeID) }
            // Each candidate's own lean toward the reference, relative to the alternative: mean over probes.
            let candidates = panel.controls + panel.excluded.map(\.model)
            let alternative = panel.alternativeReferences.first
            let models = [reference] + (alternative.map { [$0] } ?? []) + candidates.filter { $0 != reference && $0 != alternative }
            var leans: [String: Double] = [:]
            if models.count > 1 {
                let similarities = try FingerprintBuilder().similarities(of: responses, models: models)
                for (i, model) in models.enumerated() where i > (alternative == nil ? 0 : 1) {
                    let toward = similarities.series(i, 0), away = alternative == nil ? nil : similarities.series(i, 1)
                    leans[model] = zip(toward, away ?? toward.map { _ in 0 }).map { $0 - $1 }.reduce(0, +) / Double(max(1, toward.count))
                }
            }
            switch output.resolved {
            case .json:
                print(try LineageJSON.string(Listing(panel: panel, fit: fit, leans: leans)))
                return
            case .csv, .md:
                // One row per candidate: the chosen controls first (nearest in kind first), then those left out.
                let rows = panel.members.filter { $0.role == .control }.map { ("control", $0) } + panel.excluded.map { ("left out", $0) }
                let header = ["model", "role", "lean", "reason"]
                func cells(_ role: String, _ m: StudyPanel.Member) -> [String] {
                    [m.model, role, leans[m.model].map { String(format: "%.4f", $0) } ?? "", m.reason]
                }
                if output.resolved == .csv {
                    print(header.joined(separator: ","))
                    // The lean is a number, written as is; the text fields are escaped for spreadsheets.
                    for (role, m) in rows {
                        let c = cells(role, m)
                        print([Escape.csvField(c[0]), Escape.csvField(c[1]), c[2], Escape.csvField(c[3])].joined(separator: ","))
                    }
                } else {
                    print(MarkdownReport.table(header, rows.map(cells)), terminator: "")
                }
                return
            case .text:
                break
            }
            print("Controls for \(suspect) against \(reference) (maker: \(panel.referenceMaker ?? "unknown"))")
            print("references: \(panel.references.joined(separator: ", "))")
            print("alternative reference: \(panel.alternativeReferences.first ?? "none")")
            func line(_ m: StudyPanel.Member) -> String {
                let lean = leans[m.model].map { String(format: "lean %+.4f", $0) } ?? "lean –"
                return "  \(m.model)  [\(lean)]  \(m.reason)"
            }
            print("chosen controls (nearest in kind first):")
            for m in panel.members where m.role == .control { print(line(m)) }
            if let fit { print("fit: \(fit.explanation)") }
            if !panel.excluded.isEmpty {
                print("left out:")
                for m in panel.excluded { print(line(m)) }
            }
            print("lean: mean over probes of s(C, \(reference))" + (alternative.map { " − s(C, \($0))" } ?? "")
                  + "; a candidate that leans more than the others may itself have learnt from \(reference).")
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
    }
}
