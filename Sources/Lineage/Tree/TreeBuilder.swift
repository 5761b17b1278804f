import Foundation

/// Builds lineage trees from distance matrices: neighbour joining (Saitou & Nei 1987, in the
/// form of Studier & Keppler 1988) or UPGMA, with bootstrap support over probes.
public enum TreeBuilder {
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Neighbour joining: exact on additive (tree-like) distances; does not assume a molecular
        /// clock. Rooted at the midpoint of the longest leaf-to-leaf path for drawing.
        case neighborJoining = "nj"
        /// Average linkage: assumes every model drifted equally far from the root (ultrametric).
        case upgma

        public var description: String {
            switch self {
            case .neighborJoining: "neighbour joining (midpoint-rooted)"
            case .upgma: "UPGMA (average linkage)"
            }
        }
    }

    public static func tree(_ distances: DistanceMatrix, method: Method = .neighborJoining) -> LineageTree {
        switch method {
        case .neighborJoining: neighborJoining(distances)
        case .upgma: upgma(distances)
        }
    }

    /// A tree from `distances` whose inner branches carry the fraction of bootstrap replicates
    /// that reproduce their split. Each replicate draws `items.count` items with replacement
    /// (seeded), and `distances` turns the drawn list (with repeats) into a distance matrix
    /// over the same names in the same order.
    public static func bootstrapped<Item>(items: [Item], replicates: Int, seed: UInt64, method: Method = .neighborJoining,
                                          progress: WorkProgress = .silent,
                                          distances: ([Item]) throws -> DistanceMatrix) rethrows -> LineageTree {
        var tree = tree(try distances(items), method: method)
        guard replicates > 0, !items.isEmpty else { return tree }
        var generator = SeededGenerator(seed: seed)
        var counts: [Split: Int] = [:]
        for replicate in 0..<replicates {
            defer { progress("bootstrap tree", replicate + 1, of: replicates) }
            let drawn = (0..<items.count).map { _ in items[Int.random(in: 0..<items.count, using: &generator)] }
            for split in self.tree(try distances(drawn), method: method).splits.keys { counts[split, default: 0] += 1 }
        }
        let all = Set(tree.leafNames)
        guard let anchor = all.min() else { return tree }
        for index in tree.nodes.indices where index != tree.root && !tree.nodes[index].isLeaf {
            let side = Set(tree.leaves(under: index).compactMap { tree.nodes[$0].name })
            if let split = Split(side: side, all: all, anchor: anchor) {
                tree.nodes[index].support = Double(counts[split, default: 0]) / Double(replicates)
            }
        }
        return tree
    }

    // MARK: - Neighbour joining

    static func neighborJoining(_ matrix: DistanceMatrix) -> LineageTree {
        let n = matrix.count
        let method = "neighbour joining, midpoint-rooted"
        guard n > 1 else {
            return LineageTree(nodes: matrix.names.map { LineageTree.Node(name: $0) }, root: 0, method: method)
        }
        // The unrooted tree as an undirected graph: nodes 0..<n are the leaves.
        var adjacency: [[(node: Int, length: Double)]] = Array(repeating: [], count: n)
        func connect(_ a: Int, _ b: Int, _ length: Double) {
            adjacency[a].append((b, length))
            adjacency[b].append((a, length))
        }
        var active = Array(0..<n)          // graph node of each active cluster
        var d = matrix.values              // distances between active clusters
        while active.count > 2 {
            let m = active.count
            let rowSums = d.map { $0.reduce(0, +) }
            var best = (i: 0, j: 1, q: Double.infinity)
            if m == 3 {
                best = (0, 1, 0)
            } else {
                for i in 0..<m {
                    for j in (i + 1)..<m {
                        let q = Double(m - 2) * d[i][j] - rowSums[i] - rowSums[j]
                        if q < best.q { best = (i, j, q) }
                    }
                }
            }
            let (i, j) = (best.i, best.j)
            let lengthI = d[i][j] / 2 + (rowSums[i] - rowSums[j]) / (2 * Double(m - 2))
            let lengthJ = d[i][j] - lengthI
            let joined = adjacency.count
            adjacency.append([])
            connect(joined, active[i], max(0, lengthI))
            connect(joined, active[j], max(0, lengthJ))
            let newRow = (0..<m).map { k in (d[i][k] + d[j][k] - d[i][j]) / 2 }
            let keep = (0..<m).filter { $0 != i && $0 != j }
            var next = keep.map { a in keep.map { b in d[a][b] } + [newRow[a]] }
            next.append(keep.map { newRow[$0] } + [0])
            d = next
            active = keep.map { active[$0] } + [joined]
        }
        connect(active[0], active[1], max(0, d[0][1]))
        return midpointRooted(adjacency: adjacency, names: matrix.names, method: method)
    }

    /// Roots an unrooted tree (an undirected graph whose first `names.count` nodes are leaves)
    /// at the midpoint of its longest leaf-to-leaf path.
    static func midpointRooted(adjacency: [[(node: Int, length: Double)]], names: [String], method: String) -> LineageTree {
        func distances(from start: Int) -> (distance: [Double], previous: [Int?]) {
            var distance = [Double](repeating: -1, count: adjacency.count)
            var previous = [Int?](repeating: nil, count: adjacency.count)
            distance[start] = 0
            var stack = [start]
            while let node = stack.popLast() {
                for (next, length) in adjacency[node] where distance[next] < 0 {
                    distance[next] = distance[node] + length
                    previous[next] = node
                    stack.append(next)
                }
            }
            return (distance, previous)
        }
        var far = (a: 0, b: 1, length: -1.0)
        for a in names.indices {
            let (distance, _) = distances(from: a)
            for b in names.indices where b > a && distance[b] > far.length { far = (a, b, distance[b]) }
        }
        // Walk from b to a and cut the edge on which half the path length falls.
        let (distanceFromA, previous) = distances(from: far.a)
        var path = [far.b]
        while let up = previous[path.last!] { path.append(up) }
        let half = far.length / 2
        var cut = 0
        while cut + 2 < path.count, far.length - distanceFromA[path[cut + 1]] <= half { cut += 1 }
        let (u, v) = (path[cut], path[cut + 1])
        let fromB = far.length - distanceFromA[u]
        let edge = distanceFromA[u] - distanceFromA[v]
        let lengthToU = max(0, half - fromB), lengthToV = max(0, edge - lengthToU)

        var nodes = [LineageTree.Node()]
        func attach(_ graphNode: Int, from parent: Int, length: Double) -> Int {
            let index = nodes.count
            nodes.append(LineageTree.Node(name: graphNode < names.count ? names[graphNode] : nil, branchLength: length))
            let children = adjacency[graphNode]
                .filter { $0.node != parent && !(Set([graphNode, $0.node]) == Set([u, v])) }
                .sorted { $0.node < $1.node }
                .map { attach($0.node, from: graphNode, length: $0.length) }
            nodes[index].children = children
            return index
        }
        let left = attach(u, from: v, length: lengthToU)
        let right = attach(v, from: u, length: lengthToV)
        nodes[0].children = [left, right]
        return LineageTree(nodes: nodes, root: 0, method: method)
    }

    // MARK: - UPGMA

    static func upgma(_ matrix: DistanceMatrix) -> LineageTree {
        let method = "UPGMA (average linkage)"
        var nodes = matrix.names.map { LineageTree.Node(name: $0) }
        guard matrix.count > 1 else { return LineageTree(nodes: nodes, root: 0, method: method) }
        var clusters = matrix.names.indices.map { (node: $0, size: 1, height: 0.0) }
        var d = matrix.values
        while clusters.count > 1 {
            var best = (i: 0, j: 1, distance: Double.infinity)
            for i in clusters.indices {
                for j in (i + 1)..<clusters.count where d[i][j] < best.distance { best = (i, j, d[i][j]) }
            }
            let (i, j) = (best.i, best.j)
            let height = best.distance / 2
            let joined = nodes.count
            nodes[clusters[i].node].branchLength = max(0, height - clusters[i].height)
            nodes[clusters[j].node].branchLength = max(0, height - clusters[j].height)
            nodes.append(LineageTree.Node(children: [clusters[i].node, clusters[j].node]))
            let (si, sj) = (Double(clusters[i].size), Double(clusters[j].size))
            let newRow = clusters.indices.map { k in (d[i][k] * si + d[j][k] * sj) / (si + sj) }
            let keep = clusters.indices.filter { $0 != i && $0 != j }
            var next = keep.map { a in keep.map { b in d[a][b] } + [newRow[a]] }
            next.append(keep.map { newRow[$0] } + [0])
            d = next
            clusters = keep.map { clusters[$0] } + [(joined, clusters[i].size + clusters[j].size, height)]
        }
        return LineageTree(nodes: nodes, root: clusters[0].node, method: method)
    }
}
