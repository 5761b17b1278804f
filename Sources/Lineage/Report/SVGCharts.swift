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
        let labelWidth = min(220.0, Double(matrix.models.map(\.count).max() ?? 4) * 6.2 + 10)
        let top = labelWidth * 0.75 + 10
        let offDiagonal = (0..<count).flatMap { i in (0..<count).filter { $0 != i }.map { matrix.values[i][$0] } }
        let low = offDiagonal.min() ?? 0, high = offDiagonal.max() ?? 1
        let span = high > low ? high - low : 1
        let fontSize = min(11, cell * 0.8)
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
        return svg(width: max(labelWidth + Double(count) * cell + labelWidth * 0.65, labelWidth + legendWidth + 170), height: legendY + 32,
                   title: "Similarity heatmap of \(count) models", body: body, kind: "heatmap")
    }

    // MARK: - Forest plot

    /// Per-probe effects with their intervals (largest first), and the overall effect as a diamond.
    public static func forestPlot(_ effects: [ProbeEffect], overall: EffectEstimate?, limit: Int = 40) -> String {
        guard !effects.isEmpty else { return "" }
        let shown = Array(effects.sorted { $0.effect > $1.effect }.prefix(limit))
        let labels = shown.map { $0.probeID + ($0.category.map { " (\($0.prefix(14)))" } ?? "") }
        let labelWidth = min(230.0, Double(labels.map(\.count).max() ?? 4) * 6.2 + 12)
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
        let rows = Double(shown.count) + (overall == nil ? 0 : 1.5)
        let axisY = top + rows * row + 6
        var body = "<line x1=\"\(n(x(0)))\" y1=\"\(n(top - 6))\" x2=\"\(n(x(0)))\" y2=\"\(n(axisY))\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>\n"
        for (index, effect) in shown.enumerated() {
            let y = top + Double(index) * row + row / 2
            body += "<text x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\">\(Escape.html(labels[index]))</text>\n"
            if let lowCI = effect.ciLow, let highCI = effect.ciHigh {
                body += "<line x1=\"\(n(x(lowCI)))\" y1=\"\(n(y))\" x2=\"\(n(x(highCI)))\" y2=\"\(n(y))\" stroke=\"#4a6fa5\" stroke-width=\"1.5\"/>\n"
            }
            body += "<circle cx=\"\(n(x(effect.effect)))\" cy=\"\(n(y))\" r=\"3.5\" fill=\"#1f3b63\"><title>\(Escape.html("\(effect.probeID): \(Format.number(effect.effect))"))</title></circle>\n"
        }
        if let overall {
            let y = top + (Double(shown.count) + 0.75) * row
            body += "<text x=\"\(n(labelWidth - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\" font-weight=\"bold\">overall</text>\n"
            body += "<polygon points=\"\(n(x(overall.ciLow))),\(n(y)) \(n(x(overall.estimate))),\(n(y - 6)) \(n(x(overall.ciHigh))),\(n(y)) \(n(x(overall.estimate))),\(n(y + 6))\" fill=\"#c0392b\"><title>\(Escape.html("overall: \(Format.interval(overall))"))</title></polygon>\n"
        }
        body += "<line x1=\"\(n(labelWidth))\" y1=\"\(n(axisY))\" x2=\"\(n(labelWidth + plotWidth))\" y2=\"\(n(axisY))\" stroke=\"#333\"/>\n"
        for tick in ticks(low, high) {
            body += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(axisY))\" x2=\"\(n(x(tick)))\" y2=\"\(n(axisY + 4))\" stroke=\"#333\"/><text x=\"\(n(x(tick)))\" y=\"\(n(axisY + 15))\" text-anchor=\"middle\">\(Format.number(tick))</text>\n"
        }
        let caption = effects.count > shown.count ? "per-probe effect (the \(shown.count) largest of \(effects.count))" : "per-probe effect"
        body += "<text x=\"\(n(labelWidth + plotWidth / 2))\" y=\"\(n(axisY + 30))\" text-anchor=\"middle\">\(caption)</text>\n"
        return svg(width: labelWidth + plotWidth + 20, height: axisY + 38,
                   title: "Per-probe effects with confidence intervals", body: body, kind: "forest")
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
        body += "<line x1=\"\(n(left))\" y1=\"\(n(top + height))\" x2=\"\(n(left + width))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>\n"
        for tick in ticks(low, high) {
            body += "<line x1=\"\(n(x(tick)))\" y1=\"\(n(top + height))\" x2=\"\(n(x(tick)))\" y2=\"\(n(top + height + 4))\" stroke=\"#333\"/><text x=\"\(n(x(tick)))\" y=\"\(n(top + height + 16))\" text-anchor=\"middle\">\(Format.number(tick))</text>\n"
        }
        body += "<line x1=\"\(n(x(observed)))\" y1=\"\(n(top - 8))\" x2=\"\(n(x(observed)))\" y2=\"\(n(top + height))\" stroke=\"#c0392b\" stroke-width=\"2\"/>\n"
        let anchor = x(observed) > left + width * 0.7 ? "end" : "start"
        let labelX = anchor == "end" ? x(observed) - 4 : x(observed) + 4
        body += "<text x=\"\(n(labelX))\" y=\"\(n(top - 10 + 12))\" text-anchor=\"\(anchor)\" fill=\"#c0392b\">observed \(Format.number(observed))</text>\n"
        body += "<text x=\"\(n(left + width / 2))\" y=\"\(n(top + height + 32))\" text-anchor=\"middle\">statistic under the null (\(finite.count) replicates shown)</text>\n"
        return svg(width: left + width + 20, height: top + height + 40,
                   title: "Null distribution of \(testName) against the observed statistic", body: body, kind: "null")
    }

    // MARK: - Tree

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
        let labelWidth = min(240.0, Double(leaves.compactMap { tree.nodes[$0].name?.count }.max() ?? 4) * 6.4 + 10)
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
                let colour = percent >= 70 ? "#1a7f37" : (percent >= 50 ? "#9a6700" : "#999")
                body += "<text x=\"\(n(x(index) - 3))\" y=\"\(n(y[index] - 3))\" text-anchor=\"end\" font-size=\"9\" fill=\"\(colour)\">\(percent)</text>\n"
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
        return svg(width: left + width + labelWidth + 10, height: barY + 14,
                   title: "Lineage tree of \(leaves.count) models (\(tree.method))", body: body, kind: "tree")
    }
}
