import Foundation

/// A rooted tree over models with branch lengths and, on inner branches, bootstrap support.
///
/// Stored as a flat list of nodes (children by index) so that it encodes to plain JSON.
/// Trees from neighbour joining are unrooted by nature; `NeighborJoining` roots them at the
/// midpoint of the longest leaf-to-leaf path, which changes the drawing, not the splits.
public struct LineageTree: Codable, Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        /// The model's name on a leaf; nil on an inner node.
        public var name: String?
        public var children: [Int]
        /// Length of the branch from this node up to its parent (0 at the root).
        public var branchLength: Double
        /// Fraction of bootstrap replicates whose tree has this node's split (inner nodes only).
        public var support: Double?

        public init(name: String? = nil, children: [Int] = [], branchLength: Double = 0, support: Double? = nil) {
            self.name = name
            self.children = children
            self.branchLength = branchLength
            self.support = support
        }

        public var isLeaf: Bool { children.isEmpty }
    }

    public var nodes: [Node]
    public var root: Int
    /// How the tree was built, e.g. "neighbour joining, midpoint-rooted".
    public var method: String

    public init(nodes: [Node], root: Int, method: String) {
        self.nodes = nodes
        self.root = root
        self.method = method
    }

    /// Leaf names in drawing order (depth first, children in order).
    public var leafNames: [String] { leaves(under: root).map { nodes[$0].name ?? "" } }

    /// Leaf node indices under `node`, in drawing order.
    public func leaves(under node: Int) -> [Int] {
        if nodes[node].isLeaf { return [node] }
        return nodes[node].children.flatMap { leaves(under: $0) }
    }

    /// Parent of every node (nil for the root).
    public var parents: [Int?] {
        var parents = [Int?](repeating: nil, count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for child in node.children { parents[child] = index }
        }
        return parents
    }

    /// The non-trivial splits of the leaves this tree's inner branches define, each as the
    /// sorted names on the side that does not hold the alphabetically first leaf (so that a
    /// split reads the same whichever way the tree is rooted), with the branch length
    /// (branches on both sides of the root are one branch, and their lengths add up).
    public var splits: [Split: Double] {
        let all = Set(leafNames)
        guard let anchor = all.min() else { return [:] }
        var result: [Split: Double] = [:]
        for index in nodes.indices where index != root && !nodes[index].isLeaf {
            guard let split = Split(side: Set(leaves(under: index).compactMap { nodes[$0].name }), all: all, anchor: anchor)
            else { continue }
            result[split, default: 0] += nodes[index].branchLength
        }
        return result
    }

    /// Sum of branch lengths on the path between two leaves.
    public func pathLength(from a: String, to b: String) -> Double? {
        let parents = self.parents
        guard let ia = nodes.firstIndex(where: { $0.name == a }),
              let ib = nodes.firstIndex(where: { $0.name == b }) else { return nil }
        var depthA: [Int: Double] = [:]
        var node: Int? = ia
        var total = 0.0
        while let current = node {
            depthA[current] = total
            total += nodes[current].branchLength
            node = parents[current]
        }
        node = ib
        total = 0
        while let current = node {
            if let up = depthA[current] { return up + total }
            total += nodes[current].branchLength
            node = parents[current]
        }
        return nil
    }

    /// Newick text: `(a:0.1,(b:0.2,c:0.3)95:0.05);` with bootstrap support in percent as the
    /// inner node's label. Names with Newick's special characters are single-quoted.
    public var newick: String {
        func label(_ name: String) -> String {
            let special = CharacterSet(charactersIn: "()[]':;,").union(.whitespacesAndNewlines)
            if name.unicodeScalars.contains(where: special.contains) {
                return "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
            }
            return name
        }
        func length(_ value: Double) -> String { String(format: "%.6g", value) }
        func text(_ index: Int) -> String {
            let node = nodes[index]
            var out: String
            if node.isLeaf {
                out = label(node.name ?? "")
            } else {
                out = "(" + node.children.map(text).joined(separator: ",") + ")"
                if let support = node.support { out += String(Int((support * 100).rounded())) }
            }
            if index != root { out += ":" + length(node.branchLength) }
            return out
        }
        return text(root) + ";"
    }
}

/// One side of a bipartition of a tree's leaves (the side without the anchor leaf).
public struct Split: Hashable, Sendable, CustomStringConvertible {
    public let members: [String]

    /// Nil for a trivial split (one leaf, or all but one, or none).
    init?(side: Set<String>, all: Set<String>, anchor: String) {
        let normalized = side.contains(anchor) ? all.subtracting(side) : side
        guard normalized.count >= 2, normalized.count <= all.count - 2 else { return nil }
        members = normalized.sorted()
    }

    public var description: String { "{" + members.joined(separator: ",") + "}" }
}
