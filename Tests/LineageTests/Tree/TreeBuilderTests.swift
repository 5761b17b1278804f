import Foundation
import Testing
@testable import Lineage

/// A random tree drawn independently of the code under test, and its exact leaf distances.
struct RandomTree {
    var names: [String]
    var parent: [Int?]
    var length: [Double]

    /// Leaves 0..<n; inner nodes joined at random (binary), positive branch lengths.
    init(leaves n: Int, using generator: inout SeededGenerator, ultrametric: Bool = false) {
        names = (0..<n).map { "m\($0)" }
        parent = Array(repeating: nil, count: n)
        length = Array(repeating: 0, count: n)
        var height = Array(repeating: 0.0, count: n)
        var open = Array(0..<n)
        var top = 0.0
        while open.count > 1 {
            open.shuffle(using: &generator)
            let a = open.removeLast(), b = open.removeLast()
            let node = parent.count
            parent.append(nil)
            length.append(0)
            if ultrametric {
                top = max(top, height[a], height[b]) + Double.random(in: 0.05...0.5, using: &generator)
                height.append(top)
                length[a] = top - height[a]
                length[b] = top - height[b]
            } else {
                height.append(0)
                length[a] = Double.random(in: 0.05...1, using: &generator)
                length[b] = Double.random(in: 0.05...1, using: &generator)
            }
            parent[a] = node
            parent[b] = node
            open.append(node)
        }
    }

    func ancestors(_ node: Int) -> [Int: Double] {
        var result: [Int: Double] = [:]
        var current: Int? = node, total = 0.0
        while let c = current { result[c] = total; total += length[c]; current = parent[c] }
        return result
    }

    var distances: DistanceMatrix {
        let n = names.count
        let up = (0..<n).map(ancestors)
        let values = (0..<n).map { i in
            (0..<n).map { j -> Double in
                var current: Int? = j, total = 0.0
                while let c = current {
                    if let fromI = up[i][c] { return fromI + total }
                    total += length[c]
                    current = parent[c]
                }
                fatalError("no common ancestor")
            }
        }
        return DistanceMatrix(names: names, values: values)
    }

    /// The non-trivial splits, normalised as `Split` does (side without the first name).
    var splits: Set<[String]> {
        let n = names.count
        var result: Set<[String]> = []
        for inner in n..<parent.count {
            let side = Set((0..<n).filter { ancestors($0)[inner] != nil }.map { names[$0] })
            let normalized = side.contains(names.min()!) ? Set(names).subtracting(side) : side
            if normalized.count >= 2 && normalized.count <= n - 2 { result.insert(normalized.sorted()) }
        }
        return result
    }
}

@Suite struct TreeBuilderTests {
    static let seed = UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000

    @Test func neighbourJoiningRecoversAnAdditiveTree() throws {
        print("TreeBuilderTests seed:", Self.seed)
        var generator = SeededGenerator(seed: Self.seed)
        for trial in 0..<20 {
            let truth = RandomTree(leaves: Int.random(in: 4...14, using: &generator), using: &generator)
            let matrix = truth.distances
            let tree = TreeBuilder.tree(matrix, method: .neighborJoining)
            #expect(Set(tree.leafNames) == Set(truth.names))
            #expect(Set(tree.splits.keys.map(\.members)) == truth.splits, "trial \(trial), seed \(Self.seed)")
            for i in matrix.names.indices {
                for j in matrix.names.indices where j > i {
                    let path = try #require(tree.pathLength(from: matrix.names[i], to: matrix.names[j]))
                    #expect(abs(path - matrix[i, j]) < 1e-9, "trial \(trial) \(matrix.names[i])–\(matrix.names[j]): \(path) vs \(matrix[i, j])")
                }
            }
        }
    }

    @Test func upgmaRecoversAnUltrametricTree() throws {
        var generator = SeededGenerator(seed: Self.seed &+ 1)
        for trial in 0..<20 {
            let truth = RandomTree(leaves: Int.random(in: 3...12, using: &generator), using: &generator, ultrametric: true)
            let matrix = truth.distances
            let tree = TreeBuilder.tree(matrix, method: .upgma)
            #expect(Set(tree.splits.keys.map(\.members)) == truth.splits, "trial \(trial), seed \(Self.seed)")
            for i in matrix.names.indices {
                for j in matrix.names.indices where j > i {
                    let path = try #require(tree.pathLength(from: matrix.names[i], to: matrix.names[j]))
                    #expect(abs(path - matrix[i, j]) < 1e-9)
                }
            }
        }
    }

    @Test func threeTaxaClosedForm() throws {
        // d(a,b) = 3, d(a,c) = 4, d(b,c) = 5: a star with arms 1, 2, 3. The longest path (b–c, 5)
        // has its midpoint 0.5 beyond the centre on c's arm.
        let matrix = DistanceMatrix(names: ["a", "b", "c"], values: [[0, 3, 4], [3, 0, 5], [4, 5, 0]])
        let tree = TreeBuilder.tree(matrix)
        let length = { (name: String) in tree.nodes.first { $0.name == name }!.branchLength }
        #expect(abs(length("a") - 1) < 1e-12 && abs(length("b") - 2) < 1e-12 && abs(length("c") - 2.5) < 1e-12)
        #expect(tree.splits.isEmpty)
        let two = TreeBuilder.tree(DistanceMatrix(names: ["x", "y"], values: [[0, 2], [2, 0]]))
        #expect(["(x:1,y:1);", "(y:1,x:1);"].contains(two.newick))
    }

    @Test func bootstrapOfIdenticalReplicatesGivesFullSupport() {
        var generator = SeededGenerator(seed: Self.seed &+ 2)
        let truth = RandomTree(leaves: 9, using: &generator)
        let matrix = truth.distances
        let tree = TreeBuilder.bootstrapped(items: Array(0..<30), replicates: 25, seed: 3) { _ in matrix }
        let inner = tree.nodes.indices.filter { $0 != tree.root && !tree.nodes[$0].isLeaf }
        #expect(!inner.isEmpty)
        for node in inner where tree.nodes[node].support != nil { #expect(tree.nodes[node].support == 1) }
        #expect(inner.contains { tree.nodes[$0].support == 1 })
    }

    @Test func bootstrapSupportMatchesTheBinomialTruth() {
        // Two kinds of probe: X-probes say ((a,b),(c,d)), Y-probes say ((a,c),(b,d)), both with
        // pendant branches 1 and an inner branch 1. The mean distance over a draw with a share s
        // of X-probes has d(a,b)+d(c,d) = 6 − 2s and d(a,c)+d(b,d) = 4 + 2s, so neighbour joining
        // picks X exactly when s > 1/2. With 24 X-probes of 41, X's support must be
        // P(Binomial(41, 24/41) ≥ 21), within the Monte Carlo error of 400 replicates.
        let (n, k, replicates) = (41, 24, 400)
        let items = (0..<n).map { $0 < k }
        let tree = TreeBuilder.bootstrapped(items: items, replicates: replicates, seed: Self.seed) { drawn in
            let s = Double(drawn.filter { $0 }.count) / Double(drawn.count)
            return DistanceMatrix(names: ["a", "b", "c", "d"], values: [
                [0, 3 - s, 2 + s, 3], [3 - s, 0, 3, 2 + s], [2 + s, 3, 0, 3 - s], [3, 2 + s, 3 - s, 0]])
        }
        let p = Double(k) / Double(n)
        var expected = 0.0
        for x in 21...n {
            var logChoose = 0.0
            for i in 0..<x { logChoose += log(Double(n - i)) - log(Double(i + 1)) }
            expected += exp(logChoose + Double(x) * log(p) + Double(n - x) * log(1 - p))
        }
        #expect(Set(tree.splits.keys.map(\.members)) == [["c", "d"]])
        let supports = tree.nodes.compactMap(\.support)
        #expect(!supports.isEmpty)
        let error = 4 * (expected * (1 - expected) / Double(replicates)).squareRoot()
        for support in supports {
            #expect(abs(support - expected) < error, "support \(support), expected \(expected) ± \(error), seed \(Self.seed)")
        }
    }

    @Test func newickQuotesNamesAndShowsSupport() {
        let tree = LineageTree(nodes: [
            .init(children: [1, 2]),
            .init(name: "gpt-4", branchLength: 0.5),
            .init(children: [3, 4], branchLength: 0.25, support: 0.876),
            .init(name: "vicuna 13b", branchLength: 0.125),
            .init(name: "o'brien(x)", branchLength: 1),
        ], root: 0, method: "test")
        #expect(tree.newick == "(gpt-4:0.5,('vicuna 13b':0.125,'o''brien(x)':1)88:0.25);")
    }
}
