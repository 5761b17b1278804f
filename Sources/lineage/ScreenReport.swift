import Foundation
import Lineage

/// The report folder of `lineage screen --report DIR`:
/// - `index.html`: the question, the correction across suspects and what it guarantees, and every
///   suspect sorted by evidence, each linked to its own report;
/// - `suspects/suspect-NNN/`: each suspect's full attribution report (the verdict after the
///   correction), a folder `lineage verify` checks on its own;
/// - `screen.json` (the `lineage.screen/v1` output) and `screen-manifest.json`: the SHA-256 of
///   index.html and screen.json and the root hash of every suspect's report.
///
/// Folders are numbered, never named after a model, so no model name can reach the file system.
/// The folder is written whole (`ReportWriter.replaceFolder`).
enum ScreenReport {
    struct Manifest: Encodable {
        let schema = "lineage.screen-manifest/v1"
        var files: [String: String]
        var suspects: [Suspect]
        struct Suspect: Encodable {
            var suspect: String
            var folder: String
            var rootHash: String
        }
    }

    static func write(to directory: String, screen: ScreenCommand.Screen, subjects: [ReportSubject], responses: [StoredResponse],
                      store: ResponseStore, signingKey: String?) throws {
        try ReportWriter.replaceFolder(directory) { staging in
            var entries: [Manifest.Suspect] = []
            for (i, subject) in subjects.enumerated() {
                let folder = "suspects/suspect-" + String(format: "%03d", i + 1)
                let written = try ReportWriter.write(subject, responses: responses.answeringEveryModel(subject.models), store: store,
                                                     to: staging.appendingPathComponent(folder).path, signingKey: signingKey)
                entries.append(.init(suspect: subject.models.first ?? "", folder: folder, rootHash: written.manifest.rootHash))
            }
            let json = Data(try screen.json().utf8)
            let html = Data(index(screen, suspects: entries).utf8)
            try json.write(to: staging.appendingPathComponent("screen.json"))
            try html.write(to: staging.appendingPathComponent("index.html"))
            let manifest = Manifest(files: ["index.html": ContentHash.sha256(html), "screen.json": ContentHash.sha256(json)], suspects: entries)
            try Data(try LineageJSON.string(manifest).utf8).write(to: staging.appendingPathComponent("screen-manifest.json"))
        }
    }

    /// The overview page: self-contained HTML, every data string escaped.
    static func index(_ screen: ScreenCommand.Screen, suspects: [Manifest.Suspect]) -> String {
        let h = Escape.html
        let folderOf = Dictionary(suspects.map { ($0.suspect, $0) }, uniquingKeysWith: { first, _ in first })
        let counts = Dictionary(grouping: screen.rows, by: \.verdict).mapValues(\.count)
        func count(_ v: Verdict) -> Int { counts[v] ?? 0 }
        var rows = ""
        for row in screen.rows {
            let link = folderOf[row.suspect].map { "<a href=\"\(h($0.folder))/report.html\">\(h(row.suspect))</a>" } ?? h(row.suspect)
            let effect = "\(AttributionSummary.number(row.effect.estimate)) [\(AttributionSummary.number(row.effect.ciLow)), \(AttributionSummary.number(row.effect.ciHigh))]"
            let note = row.verdict != row.studyVerdict ? " <span class=\"note\">(alone: \(h(row.studyVerdict.rawValue)))</span>" : ""
            rows += "<tr><td class=\"name\">\(link)</td><td class=\"v \(h(row.verdict.rawValue))\">\(h(row.verdict.rawValue))\(note)</td>"
                + "<td class=\"num\">\(h(AttributionSummary.number(row.pValue)))</td><td class=\"num\">\(h(AttributionSummary.number(row.adjustedPValue)))</td>"
                + "<td class=\"num\">\(h(effect))</td><td>\(row.bracketed.map { $0 ? "yes" : "no" } ?? "–")</td>"
                + "<td class=\"list\">\(h(row.alternativeReferences.joined(separator: ", ")))</td><td class=\"list\">\(h(row.controls.joined(separator: ", ")))</td>"
                + "<td class=\"hash\">\(h(folderOf[row.suspect].map { String($0.rootHash.prefix(16)) } ?? ""))</td></tr>\n"
        }
        var skipped = ""
        if !screen.skipped.isEmpty {
            skipped = "<h2>Not screened</h2><ul>"
                + screen.skipped.sorted { $0.key < $1.key }.map { "<li><b>\(h($0.key))</b>: \(h($0.value))</li>" }.joined()
                + "</ul>"
        }
        let references = screen.reference.split(separator: ",").map(String.init).joined(separator: ", ")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Lineage screen: which suspects learnt from \(h(references))?</title>
            <style>
            body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #111; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
            th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.5em; text-align: left; vertical-align: top; }
            td.name { min-width: 12em; overflow-wrap: anywhere; } td.list { overflow-wrap: anywhere; } .num { white-space: nowrap; }
            th { background: #f3f3f3; }
            .v { font-weight: 600; white-space: nowrap; }
            .evidence { color: #a40000; } .inconclusive { color: #8a5a00; } .no-evidence { color: #1d6b2f; }
            .note { font-weight: normal; color: #555; } .hash { font-family: monospace; font-size: 0.85em; }
            .summary { font-size: 1.1em; }
            @media print { body { margin: 0; max-width: none; } a { color: inherit; } tr { break-inside: avoid; } }
            </style></head><body>
            <h1>Which of \(screen.rows.count) suspects learnt from \(h(references))?</h1>
            <p class="summary"><b>\(count(.evidence))</b> evidence, <b>\(count(.inconclusive))</b> inconclusive, <b>\(count(.noEvidence))</b> no evidence\(screen.skipped.isEmpty ? "" : ", \(screen.skipped.count) not screened").</p>
            <p>Each suspect got the study <code>lineage attribute --suspect S --reference \(h(references))</code> runs on this store, with its panel (alternative reference and controls) chosen from the store's annotations where none was named. The p-values were then corrected across the suspects: \(h(screen.correctionMeaning)) (α = \(h(AttributionSummary.number(screen.alpha)))). A suspect is <b>evidence</b> only when its own study says evidence and its corrected p-value is at most α; evidence alone but not after the correction reads <b>inconclusive</b>. <b>No evidence</b> means the suspect's own study ruled out a lean toward the reference that matters, with controls like it; it is never given because a p-value was large.</p>
            <p>Each suspect's name links to its full report: what was compared, the tests, the effect and its interval, the controls and why they fit, the method's measured error rates on labelled data, and the hashes that tie every number to the stored answers. Check a suspect's report with <code>lineage verify</code> on its folder; <code>screen-manifest.json</code> holds the SHA-256 of this page and of <code>screen.json</code>, and the root hash of every suspect's report (the last column, first 16 digits).</p>
            <table><thead><tr><th>suspect</th><th>verdict</th><th>p</th><th>corrected p</th><th>effect [95% CI]</th><th>controls bracket it</th><th>alternative</th><th>controls</th><th>report root</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            \(skipped)
            <p>Store: <code>\(h(screen.store))</code>.</p>
            </body></html>

            """
    }
}
