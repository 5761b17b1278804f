import Foundation

/// The report as one self-contained HTML page: inline CSS, inline SVG charts drawn by
/// `SVGCharts`, no scripts, no fonts or anything else fetched. Every string from data is escaped.
public enum HTMLReport {
    public static func render(_ subject: ReportSubject, manifest: ReportManifest?) -> String {
        let model = ReportModel(subject, manifest: manifest)
        let e = Escape.html
        var body = "<header><h1>\(e(model.title))</h1>\n"
        if let verdict = model.verdict {
            body += "<p class=\"verdict \(verdict.rawValue)\">Verdict: <strong>\(e(verdict.rawValue))</strong></p>\n"
        }
        body += "<p class=\"question\">\(e(model.question))</p>\n</header>\n"
        body += "<section class=\"plain\"><h2>In plain words</h2>\n<p>\(e(model.plainWords))</p>\n"
        if let why = model.why { body += "<p class=\"why\"><strong>Why this verdict.</strong> \(e(why))</p>\n" }
        body += keyValueTable(model.summary) + "</section>\n"

        if !model.tests.isEmpty {
            body += "<section><h2>Evidence</h2>\n"
            if let (test, effects) = model.perProbe {
                let effectName = model.overallEffect.map { " (" + $0.description + ")" } ?? ""
                body += "<figure>\(SVGCharts.effectHistogram(effects, overall: model.overallEffect))<figcaption>Every per-probe effect in <em>\(e(test.name))</em>\(e(effectName)): "
                body += "blue bars count probes at or above zero, red bars probes below it; the black line is the mean of the per-probe effects, the dashed line zero"
                if let overall = model.overallEffect { body += ", and the red mark above the bars the overall effect with its \(Int((overall.level * 100).rounded()))% interval, \(e(Format.interval(overall)))" }
                body += ".</figcaption></figure>\n"
                let (positive, negative) = model.extremes()
                body += "<div class=\"extremes\">\n" + extremesTable("Most positive", positive) + extremesTable("Most negative", negative) + "</div>\n"
                let intervals = SVGCharts.hasIntervals(effects)
                body += "<figure>\(SVGCharts.forestPlot(effects, overall: model.overallEffect))<figcaption>The largest and smallest per-probe effects in <em>\(e(test.name))</em>"
                body += intervals ? " with their intervals" : " (each probe's effect is one number; no per-probe interval is computed)"
                body += model.overallEffect.map { "; the diamond is the overall effect and its \(Int(($0.level * 100).rounded()))% interval" } ?? ""
                body += ".</figcaption></figure>\n"
            }
            for (test, values) in model.nullDistributions {
                body += "<figure>\(SVGCharts.nullHistogram(values, observed: test.statistic, testName: test.name))<figcaption>Null distribution of <em>\(e(test.name))</em> (blue bars: replicates per bin) and the observed statistic (red line); p = \(e(Format.p(test.pValue)))"
                body += test.pValueIsOnFloor ? ", the smallest p-value \(test.replicates.map { "\($0) replicates allow" } ?? "this test allows")" : ""
                body += ".</figcaption></figure>\n"
            }
            body += "<table><thead><tr><th>test</th><th>null hypothesis</th><th>statistic</th><th>p-value</th><th>p-value floor</th><th>effect [CI]</th></tr></thead><tbody>\n"
            for test in model.tests {
                body += "<tr><td>\(e(test.name))</td><td>\(e(test.nullHypothesis))</td>"
                body += "<td class=\"num\">\(e(Format.number(test.statistic)))</td><td class=\"num\">\(e(Format.p(test.pValue)))</td><td class=\"num\">\(e(ReportModel.floorCell(test)))</td>"
                body += "<td>\(e(test.effect.map(Format.interval) ?? "–"))</td></tr>\n"
            }
            body += "</tbody></table>\n<p class=\"small\">How each test works, its alternative and its replicates: Appendix.</p>\n"
            if let power = model.power {
                body += "<p><strong>Power.</strong> \(Int((power.power * 100).rounded()))% to detect an effect of \(e(Format.number(power.effectThatMatters))) with \(power.probesUsed) probes"
                body += power.probesNeeded.map { "; about \($0) probes needed for 80%" } ?? ""
                body += ".</p>\n"
            }
            body += "</section>\n"
        }
        if !model.controls.isEmpty {
            body += "<section><h2>Controls</h2>\n<p>\(e(ReportModel.controlsWhy))</p>\n<table><thead><tr><th>control</th><th>diagnostic</th></tr></thead><tbody>\n"
            for control in model.controls {
                body += "<tr><td>\(e(control.model))</td><td\(control.note == nil ? "" : " class=\"warn\"")>\(e(control.note ?? "no concern found"))</td></tr>\n"
            }
            body += "</tbody></table></section>\n"
        }
        if model.similarity != nil || model.tree != nil {
            body += "<section><h2>Similarity and lineage</h2>\n"
            if let tree = model.tree {
                let supported = tree.nodes.contains { !$0.isLeaf && $0.support != nil }
                body += "<figure>\(SVGCharts.tree(tree))<figcaption>Lineage tree, \(e(tree.method)); distance: \(e(model.distance ?? ""))."
                body += supported ? " Numbers at inner nodes: bootstrap support in percent, coloured as in the legend." : " No bootstrap was run, so no support is shown."
                body += "</figcaption></figure>\n"
                body += "<details><summary>Newick</summary><pre>\(e(model.newick ?? tree.newick))</pre></details>\n"
            }
            if let similarity = model.similarity {
                body += "<figure>\(SVGCharts.heatmap(similarity))<figcaption>Pairwise similarity of the models\(model.tree == nil ? "' fingerprints" : " (1 − distance)"); darker is more alike.</figcaption></figure>\n"
            }
            body += "</section>\n"
        }

        body += "<section><h2>Probes and samples</h2>\n<p>\(model.probes) probes used.</p>\n"
        if !model.probeSets.isEmpty {
            body += "<table><thead><tr><th>probe set</th><th>version</th><th>hash</th><th>probes per category</th></tr></thead><tbody>\n"
            for set in model.probeSets {
                let categories = set.probesPerCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                body += "<tr><td>\(e(set.name))</td><td>\(e(set.version))</td><td class=\"hash\">\(e(set.contentHash))</td><td>\(e(categories))</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        body += "<table><thead><tr><th>model</th><th>responses</th></tr></thead><tbody>\n"
        body += model.samples.sorted { $0.key < $1.key }.map { "<tr><td>\(e($0.key))</td><td class=\"num\">\($0.value)</td></tr>\n" }.joined()
        body += "</tbody></table></section>\n"

        if !model.highlights.isEmpty {
            body += "<section><h2>Probes that weigh most</h2>\n"
            let against = model.highlights.filter { $0.effect < 0 }
            for highlight in model.highlights.filter({ $0.effect >= 0 }) + against {
                if highlight.probeID == against.first?.probeID && highlight.effect < 0 {
                    body += "<h3 class=\"against\">And the probes that weigh most against it (the most negative effects)</h3>\n"
                }
                body += "<article class=\"probe\"><h3>\(e(highlight.probeID))\(highlight.category.map { " <span class=\"category\">\(e($0))</span>" } ?? "")"
                body += " <span class=\"effect\">effect \(e(Format.number(highlight.effect))) in \(e(highlight.test))</span></h3>\n"
                if let system = highlight.system { body += "<p class=\"label\">System</p><pre class=\"prompt\">\(e(system))</pre>\n" }
                body += "<p class=\"label\">Prompt</p><pre class=\"prompt\">\(e(highlight.prompt.joined(separator: "\n\n── next turn ──\n\n")))</pre>\n"
                body += "<div class=\"answers\" style=\"grid-template-columns: repeat(\(min(4, max(1, highlight.answers.count))), minmax(0, 1fr))\">\n"
                for answer in highlight.answers {
                    body += "<div class=\"answer \(e(answer.role))\"><p class=\"label\">\(e(answer.model)) <span>\(e(answer.role)), sample \(answer.sampleIndex)</span></p><pre>\(e(answer.turns.joined(separator: "\n\n── next turn ──\n\n")))</pre></div>\n"
                }
                body += "</div></article>\n"
            }
            body += "</section>\n"
        }

        let quality = MarkdownReport.qualityLines(model)
        body += "<section><h2>Data quality</h2>\n"
        body += quality.isEmpty ? "<p>No failed, empty or truncated responses among those used, and every answer records why it stopped; nothing to warn about.</p>\n"
            : "<ul class=\"warnings\">" + quality.map { "<li>\(e($0))</li>" }.joined(separator: "\n") + "</ul>\n"
        if let counts = model.dataQuality?.models, !counts.isEmpty {
            body += "<table><thead><tr><th>model</th><th>responses</th><th>failed</th><th>empty</th><th>truncated</th><th>finish reason unknown</th></tr></thead><tbody>\n"
            for (name, c) in counts.sorted(by: { $0.key < $1.key }) {
                body += "<tr><td>\(e(name))</td><td class=\"num\">\(c.responses)</td><td class=\"num\">\(c.failed)</td><td class=\"num\">\(c.empty)</td><td class=\"num\">\(c.truncated)</td><td class=\"num\">\(c.finishUnknown.map(String.init) ?? "not counted")</td></tr>\n"
            }
            body += "</tbody></table>\n"
        }
        body += "</section>\n" + appendix(model)
        body += "<section><h2>Reproducibility</h2>\n" + keyValueTable(model.reproducibilityRows, codeKeys: ["command"])
        if let manifest = model.manifest {
            body += "<p>The manifest (<code>manifest.json</code>) lists the SHA-256 of \(manifest.probes.count) probes and \(manifest.responses.count) responses. Root hash:</p>\n"
            body += "<p class=\"hash root\">\(e(manifest.rootHash))</p>\n<p class=\"small\">\(e(manifest.rootHashMethod)). <code>lineage verify REPORT_DIR --store PATH</code> recomputes it from the store.</p>\n"
        }
        body += "</section>\n"
        return page(title: model.title, body: body)
    }

    /// Most positive or most negative per-probe effects, for the two tables side by side.
    static func extremesTable(_ title: String, _ effects: [ProbeEffect]) -> String {
        guard !effects.isEmpty else { return "" }
        var out = "<table class=\"extreme\"><thead><tr><th colspan=\"3\">\(Escape.html(title)) per-probe effects</th></tr><tr><th>probe</th><th>category</th><th>effect</th></tr></thead><tbody>\n"
        for effect in effects {
            out += "<tr><td>\(Escape.html(effect.probeID))</td><td>\(Escape.html(effect.category ?? "–"))</td><td class=\"num\">\(Escape.html(Format.number(effect.effect)))</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// The method: the verdict's rule and caveats, each test's alternative, method and sizes, the floor and the power's method.
    static func appendix(_ model: ReportModel) -> String {
        let e = Escape.html
        var out = "<section class=\"appendix\"><h2>Appendix: method</h2>\n"
        out += model.methodParagraphs.map { "<p>\(e($0))</p>\n" }.joined()
        if !model.tests.isEmpty {
            out += "<dl class=\"tests\">\n"
            for test in model.tests {
                out += "<dt>\(e(test.name))</dt>\n<dd><p>Null hypothesis: \(e(test.nullHypothesis)). Alternative: \(e(test.alternative)).</p>\n"
                out += "<p>Method: \(e(ReportModel.methodText(test))).</p>\n"
                if let description = test.statisticDescription { out += "<p>Statistic: \(e(description)).</p>\n" }
                if let effect = test.effect { out += "<p>Effect: \(e(effect.description)); interval: \(e(effect.method)).</p>\n" }
                if !test.sampleSizes.isEmpty {
                    out += "<p>Sizes: \(e(test.sampleSizes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))).</p>\n"
                }
                out += "</dd>\n"
            }
            out += "</dl>\n"
            out += ReportModel.floorSentences(model.tests).map { "<p class=\"small\">\(e($0))</p>\n" }.joined()
        }
        if let power = model.power { out += "<p class=\"small\">Power: \(e(power.method)).</p>\n" }
        return out + "</section>\n"
    }

    static func keyValueTable(_ rows: [(String, String)], codeKeys: Set<String> = []) -> String {
        "<table class=\"kv\"><tbody>\n" + rows.map { key, value in
            let cell = codeKeys.contains(key) ? "<code>\(Escape.html(value))</code>" : Escape.html(value)
            return "<tr><th>\(Escape.html(key))</th><td>\(cell)</td></tr>\n"
        }.joined() + "</tbody></table>\n"
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <title>\(Escape.html(title)) — Lineage report</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(body)
        <footer>Written by Lineage. Every model output on this page is shown as text, escaped; the page loads nothing from the network and runs no scripts.</footer>
        </main>
        </body>
        </html>

        """
    }

    static let css = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f6f7f9; color: #1b1f24; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
        h1 { font-size: 26px; margin: 8px 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d8dde3; }
        h3 { font-size: 15px; margin: 18px 0 6px; }
        .question { font-size: 17px; color: #3b4450; margin: 4px 0 12px; }
        .verdict { display: inline-block; padding: 6px 14px; border-radius: 6px; font-size: 16px; margin: 4px 0; }
        .verdict.evidence { background: #fde8e7; color: #8e1b13; border: 1px solid #f0a9a4; }
        .verdict.no-evidence { background: #e6f4ea; color: #185c2b; border: 1px solid #9fd3ae; }
        .verdict.inconclusive { background: #fff4d6; color: #6b4e00; border: 1px solid #f0d27a; }
        table { border-collapse: collapse; margin: 10px 0; font-size: 13.5px; width: 100%; }
        th, td { border: 1px solid #dfe3e8; padding: 4px 8px; text-align: left; vertical-align: top; }
        thead th { background: #f0f2f5; }
        table.kv th { width: 190px; background: #f7f8fa; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.warn { color: #8e1b13; }
        .hash, code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
        .hash.root { font-size: 14px; background: #f0f2f5; padding: 6px 10px; border-radius: 4px; }
        figure { margin: 16px 0; overflow-x: auto; }
        figcaption { font-size: 13px; color: #57606a; margin-top: 4px; }
        svg.chart { max-width: 100%; height: auto; }
        pre { white-space: pre-wrap; word-wrap: break-word; font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 4px; padding: 8px; margin: 2px 0 8px; max-height: 420px; overflow: auto; }
        .answers { display: grid; gap: 10px; }
        .answer .label span, .category, .effect { font-weight: normal; color: #57606a; font-size: 12.5px; }
        .label { font-weight: 600; margin: 6px 0 2px; font-size: 13px; }
        .answer.suspect pre, .answer.A pre { border-left: 3px solid #c0392b; }
        .answer.reference pre, .answer.B pre { border-left: 3px solid #1f3b63; }
        ul.warnings li { margin: 2px 0; }
        .small { font-size: 12.5px; color: #57606a; }
        footer { margin-top: 40px; font-size: 12px; color: #57606a; border-top: 1px solid #d8dde3; padding-top: 8px; }
        details summary { cursor: pointer; color: #3b4450; }
        .plain p { font-size: 16px; max-width: 52em; }
        .plain p.why { font-size: 14px; color: #3b4450; }
        .extremes { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
        .appendix dt { font-weight: 600; margin-top: 10px; }
        .appendix dd { margin: 0 0 0 16px; } .appendix dd p { margin: 2px 0; font-size: 13.5px; }
        @media print {
          /* The printer's paper (A4 or Letter) with margins that suit both; 18 cm of text width. */
          @page { margin: 14mm 13mm 16mm; }
          body { background: #fff; color: #000; font-size: 10pt; }
          main { max-width: none; padding: 0; background: #fff; }
          /* No dark or tinted backgrounds on paper: borders carry the structure. */
          pre, thead th, table.kv th, .hash.root, .verdict { background: none !important; }
          .verdict { border-width: 2px; }
          pre { max-height: none; overflow: visible; }
          figure { overflow: visible; }
          svg.chart { max-width: 100%; height: auto; }
          /* A chart, a table row, an answer or a short block is not cut across two pages. */
          figure, svg.chart, tr, .answer, .verdict, .kv, .appendix dt, .plain p { break-inside: avoid; }
          h1, h2, h3, dt, figcaption { break-after: avoid; }
          thead { display: table-header-group; }
          .extremes { display: block; }
          /* Links show where they lead; folded parts are printed open. */
          a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 8.5pt; word-break: break-all; }
          a { color: inherit; }
          details > *:not(summary) { display: block; }
          details::details-content { content-visibility: visible; display: contents; }
          details summary { list-style: none; font-weight: 600; }
          footer { break-inside: avoid; }
        }
        """
}
