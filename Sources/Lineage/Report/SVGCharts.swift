import Foundation

/// The report's charts as inline SVG, drawn here (no chart library, nothing fetched). Every
/// label from data is escaped; every chart carries a `<title>` for screen readers and hovering.
public enum SVGCharts {
    private static let font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""

    private static func n(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Charts are drawn in a 11-unit font and shown a quarter larger (CSS scales them down to fit).
    private static let scale = 1.25

    private static func svg(width: Double, height: Double, title: String, body: String, kind: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" class="chart \(kind)" viewBox="0 0 \(n(width)) \(n(height))" \
        width="\(n(width * scale))" height="\(n(height * scale))" role="img" \(font) font-size="11">
        <title>\(Escape.html(title))</title>
        \(body)</svg>
        """
    }

    /// A generous estimate of a label's width in the chart font (DejaVu Sans, the widest common fallback, is about 0.62 em a character).
    static func textWidth(_ text: String, fontSize: Double = 11) -> Double {
        Double(text.count) * fontSize * 0.64
    }

    /// Sequential colour from white-blue to dark blue for t in [0, 1].
    static func blue(_ t: Double) -> String {
        let t = min(1, max(0, t))
        let from = (247.0, 251.0, 255.0), to = (8.0, 48.0, 107.0)
        let r = from.0 + (to.0 - from.0) * t, g = from.1 + (to.1 - from.1) * t, b = from.2 + (to.2 - from.2) * t
        return String(format: "#%02x%02x%02x", Int(r), Int(g), Int(b))
    }

    /// Round tick positions covering [low, high].
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var value = ceil(low / step) * step
        while value <= high + step * 1e-9 {
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return ticks
    }

    // MARK: - Heatmap

    /// Pairwise similarity heatmap; the colour scale spans the off-diagonal range.
    public static func heatmap(_ matrix: SimilarityMatrix) -> String {
        let count = matrix.models.count
        guard count > 0 else { return "" }
        let cell = max(9.0, min(34.0, 620.0 / Double(count)))
        let fontSize = min(11, cell * 0.8)
        // Whole names, never cut: the row labels' width and the rotated column labels' height follow the longest.
        let longest = matrix.models.map { textWidth($0, fontSize: fontSize) }.max() ?? 20
        let labelWidth = longest + 10
        let top = longest * sin(50 * Double.pi / 180) + 14
        let offDiagonal = (0..<count).flatMap { i in (0..<count).filter { $0 != i }.map { matrix.values[i][$0] } }
        let low = offDiagonal.min() ?? 0, high = offDiagonal.max() ?? 1
        let span = high > low ? high - low : 1
        var body = ""
        for (i, model) in matrix.models.enumerated() {
            let y = top + Double(i) * cell
            body += "<text x=\"\(n(labelWidth - 6))\" y=\"\(n(y + cell / 2 + fontSize / 3))\" text-anchor=\"end\" font-size=\"\(n(fontSize))\">\(Escape.html(model))</text>\n"
            let x = labelWidth + Double(i) * cell + cell / 2
            body += "<text transform=\"translate(\(n(x + fontSize / 3)),\(n(top - 6))) rotate(-50)\" font-size=\"\(n(fontSize))\">\(Escape.html(model))</text>\n"
        }
        for i in 0..<count {
            for j in 0..<count {
                let value = matrix.values[i][j]
                let colour = i == j ? "#d9d9d9" : blue((value - low) / span)
                body += "<rect x=\"\(n(labelWidth + Double(j) * cell))\" y=\"\(n(top + Double(i) * cell))\" width=\"\(n(cell - 1))\" height=\"\(n(cell - 1))\" fill=\"\(colour)\"><title>\(Escape.html("\(matrix.models[i]) · \(matrix.models[j]): \(Format.number(value))"))</title></rect>\n"
                if cell >= 30 && i != j {
                    let dark = (value - low) / span > 0.55
                    body += "<text x=\"\(n(labelWidth + Double(j) * cell + cell / 2 - 0.5))\" y=\"\(n(top + Double(i) * cell + cell / 2 + 3))\" text-anchor=\"middle\" font-size=\"8.5\" fill=\"\(dark ? "#fff" : "#222")\">\(String(format: "%.2f", value))</text>\n"
                }
            }
        }
        // Legend.
        let legendY = top + Double(count) * cell + 18
        let legendWidth = 200.0
        for step in 0..<40 {
            body += "<rect x=\"\(n(labelWidth + Double(step) * legendWidth / 40))\" y=\"\(n(legendY))\" width=\"\(n(legendWidth / 40 + 0.5))\" height=\"10\" fill=\"\(blue(Double(step) / 39))\"/>\n"
        }
        body += "<text x=\"\(n(labelWidth))\" y=\"\(n(legendY + 23))\">\(Format.number(low))</text>"
        body += "<text x=\"\(n(labelWidth + legendWidth))\" y=\"\(n(legendY + 23))\" text-anchor=\"end\">\(Format.number(high))</text>"
        body += "<text x=\"\(n(labelWidth + legendWidth + 10))\" y=\"\(n(legendY + 9))\">similarity (diagonal grey)</text>\n"
        return svg(width: max(labelWidth + Double(count) * cell + longest * cos(50 * Double.pi / 180) + 16, labelWidth + legendWidth + 170), height: legendY + 32,
                   title: "Similarity heatmap of \(count) models", body: body, kind: "heatmap")
    }

    // MARK: - Per-probe effects

    /// Every per-probe effect as a histogram (probes below zero in red), with the mean of the
    /// effects and, when given, the overall effect and its interval.
    public static func effectHistogram(_ effects: [ProbeEffect], overall: EffectEstimate?) -> String {
        let values = effects.map(\.effect).filter { $0.isFinite }
        guard !values.isEmpty else { return "" }
        let mean = values.reduce(0, +) / Double(values.count)
        var extent = values + [0, mean]
        if let overall { extent += [overall.ciLow, overall.ciHigh, overall.estimate].filter { $0.isFinite } }
        var low = extent.min()!, high = extent.max()!
        if high <= low { low -= 1; high += 1 }
        let pad = (high - low) * 0.04
        low -= pad; high += pad
        // Zero is a bin edge, so that no bar mixes probes below zero with probes above it.
        let binWidth = (high - low) / Double(min(40, max(8, values.count / 3)))
        low = (low / binWidth).rounded(.down) * binWidth
        high = (high / binWidth).rounded(.up) * binWidth
        let bins = max(1, Int(((high - low) / binWidth).rounded()))
        var below = [Int](repeating: 0, count: bins), above = [Int](repeating: 0, count: bins)
        for value in values {
            let bin = min(bins - 1, max(0, Int(((value - low) / binWidth + 1e-9).rounded(.down))))
            if value < 0 { below[bin] += 1 } else { above[bin] += 1 }
        }
        let (left, width, top, height) = (46.0, 460.0, 34.0, 140.0)
        let tallest = Double(zip(below, above).map { $0 + $1 }.max() ?? 1)
        func x(_ value: Double) -> Double { left + (value - low) / (high - low) * width }
        func y(_ count: Double) -> Double { top + height - count / tallest * height }
        var body = ""
        for bin in 0..<bins {
            let bx = left + Double(bin) * width / Double(bins)
            for (count, base, colour) in [(below[bin], 0, "#d98880"), (above[bin], below[bin], "#8fa9cf")] where count > 0 {
                body += "<rect x=\"\(n(bx))\" y=\"\(n(y(Double(base + count))))\" width=\"\(n(width / Double(bins) - 1))\" height=\"\(n(y(Double(base)) - y(Double(base + count))))\" fill=\"\(colour)\"><title>\(count) probes</title></rect>\n"
            }
        }
        body += axes(left: left, width: width, top: top, height: height, low: low, high: high, tallest: tallest, x: x)
        body += "<line x1=\"\(n(x(0)))\" y1=\"\(n(top - 4))\" x2=\"\(n(x(0)))\" y2=\"\(n(top + height))\" stroke=\"#666\" stroke-dasharray=\"3 3\"/>\n"
        if let overall, overall.ciLow.isFinite, overall.ciHigh.isFinite {
            body += "<rect x=\"\(n(x(overall.ciLow)))\" y=\"\(n(top - 14))\" width=\"\(n(max(1, x(overall.ciHigh) - x(overall.ciLow))))\" height=\"6\" fill=\"#c0392b\" opacity=\"0.45\"><title>\(Escape.html("overall effect \(Format.interval(overall))"))</title></rect>\n"
            body += "<line x1=\"\(n(x(overall.estimate)))\" y1=\"\(n(top - 17))\" x2=\"\(n(x(overall.estimate)))\" y2=\"\(n(top - 5))\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n"
        }
        body += "<line x1=\"\(n(x(mean)))\" y1=\"\(n(top - 4))\" x2=\"\(n(x(mean)))\" y2=\"\(n(top + height))\" stroke=\"#1b1f24\" stroke-width=\"1.5\"><title>\(Escape.html("mean \(Format.number(mean))"))</title></line>\n"
        let negatives = values.filter { $0 < 0 }.count
        body += "<text x=\"\(n(left + width / 2))\" y=\"\(n(top + height + 32))\" text-anchor=\"middle\">per-probe effect (all \(values.count) probes; \(negatives) below zero)</text>\n"
        return svg(width: left + width + 20, height: top + height + 40,
                   title: "All \(values.count) per-probe effects", body: body, kind: "effects")
    }

    /// The x axis with ticks and the y axis with counts, shared by the histograms.
    private static func axes(left: Double, width: Double, top: Double, height: Double, low: Double, high: Double, tallest: Double,
                             x: (Double) -> Double) -> String {
        var body = "<line x1=\"\(n(left))\" y1=\"\(n(top + height))\" x2=\"\(n(left + width))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>\n"
        for tick in ticks(low, high) {
            body += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(top + height))\" x2=\"\(n(x(tick)))\" y2=\"\(n(top + height + 4))\" stroke=\"#333\"/><text x=\"\(n(x(tick)))\" y=\"\(n(top + height + 16))\" text-anchor=\"middle\">\(Format.number(tick))</text>\n"
        }
        body += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>\n"
        for tick in ticks(0, tallest, count: 4) where tick == tick.rounded() {
            let ty = top + height - tick / tallest * height
            body += "<line x1=\"\(n(left - 4))\" y1=\"\(n(ty))\" x2=\"\(n(left))\" y2=\"\(n(ty))\" stroke=\"#333\"/><text x=\"\(n(left - 6))\" y=\"\(n(ty + 4))\" text-anchor=\"end\">\(Int(tick))</text>\n"
        }
        body += "<text transform=\"translate(\(n(12)),\(n(top + height / 2))) rotate(-90)\" text-anchor=\"middle\">count</text>\n"
        return body
    }

    // MARK: - Forest plot

    /// The most positive and the most negative per-probe effects (all of them when there are at most
    /// `limit`), with their intervals when they have them, and the overall effect as a diamond.
    public static func forestPlot(_ effects: [ProbeEffect], overall: EffectEstimate?, limit: Int = 40) -> String {
        guard !effects.isEmpty else { return "" }
        let sorted = effects.sorted { ($0.effect, $1.probeID) > ($1.effect, $0.probeID) }
        let half = limit / 2
        let shown = sorted.count <= limit ? sorted : Array(sorted.prefix(half)) + Array(sorted.suffix(half))
        let gapAfter = sorted.count <= limit ? nil : half - 1
        // The whole category (the label column is as wide as the longest label); only a very long one is
        // shortened, and then visibly, with an ellipsis, so that no label reads as clipped.
        let labels = shown.map { $0.probeID + ($0.category.map { " (\($0.count > 24 ? $0.prefix(23) + "…" : Substring($0)))" } ?? "") }
        let labelWidth = (labels + ["overall"]).map { textWidth($0) }.max()! + 14
        let plotWidth = 420.0, row = 15.0, top = 14.0
        var values: [Double] = [0]
        for effect in shown { values += [effect.effect, effect.ciLow ?? effect.effect, effect.ciHigh ?? effect.effect] }
        if let overall { values += [overall.ciLow, overall.ciHigh, overall.estimate] }
        let finite = values.filter { $0.isFinite }
        var low = finite.min() ?? -1, high = finite.max() ?? 1
        if high <= low { low -= 1; high += 1 }
        let pad = (high - low) * 0.05
        low -= pad; high += pad
        func x(_ value: Double) -> Double { labelWidth + (value - low) / (high - low) * plotWidth }
        func rowY(_ index: Int) -> Double { top + (Double(index) + (gapAfter.map { index > $0 ? 1 : 0 } ?? 0)) * row + row / 2 }
        let rows = Double(shown.count) + (gapAfter == nil ? 0 : 1) + (overall == nil ? 0 : 1.5)
        let axisY = top + rows * row + 6
        var body = "<line x1=\"\(n(x(0)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(0)))\" y2=\"\(n(axisY))\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>\n"
        for (index, effect) in shown.enumerated() {
            let y = rowY(index)
            body += "<text x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(Escape.html(labels[index]))</text>\n"
            if let lowCI = effect.ciLow, let highCI = effect.ciHigh {
                body += "<line x1=\"\(n(x(lowCI)))\" y1=\"\(n(y))\" x2=\"\(n(x(highCI)))\" y2=\"\(n(y))\" stroke=\"#4a6fa5\" stroke-width=\"1.5\"/>\n"
            }
            body += "<circle cx=\"\(n(x(effect.effect)))\" cy=\"\(n(y))\" r=\"3.5\" fill=\"\(effect.effect < 0 ? "#a93226" : "#1f3b63")\"><title>\(Escape.html("\(effect.probeID): \(Format.number(effect.effect))"))</title></circle>\n"
        }
        if let gapAfter {
            let y = rowY(gapAfter) + row
            body += "<text x=\"\(n(labelWidth + plotWidth / 2))\" y=\"\(n(y + 4))\" text-anchor=\"middle\" fill=\"#57606a\">⋯ \(sorted.count - shown.count) probes in between (all in the histogram above) ⋯</text>\n"
        }
        if let overall {
            let y = rowY(shown.count - 1) + 1.25 * row
            body += "<text x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\" font-weight=\"bold\">overall</text>\n"
            body += "<polygon points=\"\(n(x(overall.ciLow))),\(n(y)) \(n(x(overall.estimate))),\(n(y - 6)) \(n(x(overall.ciHigh))),\(n(y)) \(n(x(overall.estimate))),\(n(y + 6))\" fill=\"#c0392b\"><title>\(Escape.html("overall: \(Format.interval(overall))"))</title></polygon>\n"
        }
        body += "<line x1=\"\(n(labelWidth))\" y1=\"\(n(axisY))\" x2=\"\(n(labelWidth + plotWidth))\" y2=\"\(n(axisY))\" stroke=\"#333\"/>\n"
        for tick in ticks(low, high) {
            body += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(axisY))\" x2=\"\(n(x(tick)))\" y2=\"\(n(axisY + 4))\" stroke=\"#333\"/><text x=\"\(n(x(tick)))\" y=\"\(n(axisY + 15))\" text-anchor=\"middle\">\(Format.number(tick))</text>\n"
        }
        let caption = gapAfter == nil ? "per-probe effect (all \(sorted.count) probes)" : "per-probe effect (the \(half) largest and the \(half) smallest of \(sorted.count))"
        body += "<text x=\"\(n(labelWidth + plotWidth / 2))\" y=\"\(n(axisY + 30))\" text-anchor=\"middle\">\(caption)</text>\n"
        return svg(width: labelWidth + plotWidth + 20, height: axisY + 38,
                   title: "Per-probe effects, largest and smallest", body: body, kind: "forest")
    }

    /// Whether any of the effects carries its own interval (what the forest plot's caption may promise).
    public static func hasIntervals(_ effects: [ProbeEffect]) -> Bool {
        effects.contains { $0.ciLow != nil && $0.ciHigh != nil }
    }

    // MARK: - Null distribution

    /// Histogram of a test's null distribution with the observed statistic marked.
    public static func nullHistogram(_ null: [Double], observed: Double, testName: String) -> String {
        let finite = null.filter { $0.isFinite }
        guard !finite.isEmpty else { return "" }
        var low = min(finite.min()!, observed), high = max(finite.max()!, observed)
        if high <= low { low -= 1; high += 1 }
        let pad = (high - low) * 0.04
        low -= pad; high += pad
        let bins = 32
        var counts = [Int](repeating: 0, count: bins)
        for value in finite { counts[min(bins - 1, Int((value - low) / (high - low) * Double(bins)))] += 1 }
        let (left, width, top, height) = (46.0, 440.0, 24.0, 150.0)
        let tallest = Double(counts.max() ?? 1)
        func x(_ value: Double) -> Double { left + (value - low) / (high - low) * width }
        var body = ""
        for (bin, count) in counts.enumerated() where count > 0 {
            let barHeight = Double(count) / tallest * height
            body += "<rect x=\"\(n(left + Double(bin) * width / Double(bins)))\" y=\"\(n(top + height - barHeight))\" width=\"\(n(width / Double(bins) - 1))\" height=\"\(n(barHeight))\" fill=\"#8fa9cf\"><title>\(count)</title></rect>\n"
        }
        body += axes(left: left, width: width, top: top, height: height, low: low, high: high, tallest: tallest, x: x)
        body += "<line x1=\"\(n(x(observed)))\" y1=\"\(n(top - 8))\" x2=\"\(n(x(observed)))\" y2=\"\(n(top + height))\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n"
        let anchor = x(observed) > left + width * 0.7 ? "end" : "start"
        let labelX = anchor == "end" ? x(observed) - 4 : x(observed) + 4
        body += "<text x=\"\(n(labelX))\" y=\"\(n(top - 10 + 12))\" text-anchor=\"\(anchor)\" fill=\"#c0392b\">observed \(Format.number(observed))</text>\n"
        body += "<text x=\"\(n(left + width / 2))\" y=\"\(n(top + height + 32))\" text-anchor=\"middle\">statistic under the null (\(finite.count) replicates shown)</text>\n"
        return svg(width: left + width + 20, height: top + height + 40,
                   title: "Null distribution of \(testName) against the observed statistic", body: body, kind: "null")
    }

    // MARK: - Tree

    /// The support labels' colours; the legend lists each.
    static let supportLegend = [("≥ 70", "#1a7f37"), ("50–69", "#9a6700"), ("< 50", "#767676")]

    static func supportColour(_ percent: Int) -> String {
        percent >= 70 ? supportLegend[0].1 : (percent >= 50 ? supportLegend[1].1 : supportLegend[2].1)
    }

    /// A rectangular phylogram: horizontal position is distance from the root; inner nodes
    /// show bootstrap support in percent.
    public static func tree(_ tree: LineageTree) -> String {
        let leaves = tree.leaves(under: tree.root)
        guard !leaves.isEmpty else { return "" }
        var depth = [Double](repeating: 0, count: tree.nodes.count)
        var y = [Double](repeating: 0, count: tree.nodes.count)
        let row = 17.0, top = 16.0
        for (order, leaf) in leaves.enumerated() { y[leaf] = top + Double(order) * row }
        func place(_ node: Int, _ base: Double) {
            depth[node] = base
            for child in tree.nodes[node].children { place(child, base + tree.nodes[child].branchLength) }
            if !tree.nodes[node].isLeaf {
                let ys = tree.nodes[node].children.map { y[$0] }
                y[node] = (ys.min()! + ys.max()!) / 2
            }
        }
        place(tree.root, 0)
        let maxDepth = max(depth.max() ?? 1, 1e-12)
        let labelWidth = (leaves.compactMap { tree.nodes[$0].name }.map { textWidth($0) }.max() ?? 30) + 16
        let (left, width) = (14.0, 520.0)
        func x(_ node: Int) -> Double { left + depth[node] / maxDepth * width }
        var body = ""
        for index in tree.nodes.indices {
            let node = tree.nodes[index]
            guard !node.isLeaf else { continue }
            let ys = node.children.map { y[$0] }
            body += "<line x1=\"\(n(x(index)))\" y1=\"\(n(ys.min()!))\" x2=\"\(n(x(index)))\" y2=\"\(n(ys.max()!))\" stroke=\"#333\"/>\n"
            for child in node.children {
                body += "<line x1=\"\(n(x(index)))\" y1=\"\(n(y[child]))\" x2=\"\(n(x(child)))\" y2=\"\(n(y[child]))\" stroke=\"#333\"><title>\(Escape.html("branch length \(Format.number(tree.nodes[child].branchLength))"))</title></line>\n"
            }
            if let support = node.support, index != tree.root {
                let percent = Int((support * 100).rounded())
                let colour = supportColour(percent)
                // Right of the node, between its children's branches, on a white halo: never across a branch.
                body += "<text x=\"\(n(x(index) + 3))\" y=\"\(n(y[index] + 3))\" font-size=\"9\" fill=\"\(colour)\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">\(percent)</text>\n"
            }
        }
        for leaf in leaves {
            body += "<circle cx=\"\(n(x(leaf)))\" cy=\"\(n(y[leaf]))\" r=\"2\" fill=\"#1f3b63\"/><text x=\"\(n(x(leaf) + 5))\" y=\"\(n(y[leaf] + 4))\">\(Escape.html(tree.nodes[leaf].name ?? ""))</text>\n"
        }
        // Scale bar.
        let barY = top + Double(leaves.count) * row + 8
        let quarter = maxDepth / 4
        let magnitude = pow(10, floor(log10(quarter)))
        let bar = [5.0, 2, 1].map { $0 * magnitude }.first { $0 <= quarter } ?? quarter
        let barLength = bar / maxDepth * width
        body += "<line x1=\"\(n(left))\" y1=\"\(n(barY))\" x2=\"\(n(left + barLength))\" y2=\"\(n(barY))\" stroke=\"#333\" stroke-width=\"2\"/><text x=\"\(n(left + barLength + 6))\" y=\"\(n(barY + 4))\">\(Format.number(bar)) (distance)</text>\n"
        var height = barY + 14
        if tree.nodes.contains(where: { !$0.isLeaf && $0.support != nil }) {
            // Every colour a support label can take, in the legend.
            var lx = left
            let legendY = barY + 20
            body += "<text x=\"\(n(lx))\" y=\"\(n(legendY))\">bootstrap support (%):</text>\n"
            lx += textWidth("bootstrap support (%):") + 6
            for (label, colour) in supportLegend {
                body += "<rect x=\"\(n(lx))\" y=\"\(n(legendY - 8))\" width=\"9\" height=\"9\" fill=\"\(colour)\"/><text x=\"\(n(lx + 12))\" y=\"\(n(legendY))\" fill=\"\(colour)\">\(Escape.html(label))</text>\n"
                lx += 12 + textWidth(label) + 12
            }
            height = legendY + 8
        }
        return svg(width: left + width + labelWidth + 10, height: height,
                   title: "Lineage tree of \(leaves.count) models (\(tree.method))", body: body, kind: "tree")
    }
}
