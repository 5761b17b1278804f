/// Disjoint sets over 0..<count with path halving and union by size: connected components of
/// the account-similarity graph without building the graph.
public struct UnionFind: Sendable {
    private var parent: [Int32]
    private var size: [Int32]

    public init(count: Int) {
        parent = (0..<count).map { Int32($0) }
        size = [Int32](repeating: 1, count: count)
    }

    public mutating func find(_ x: Int) -> Int {
        var x = x
        while Int(parent[x]) != x {
            parent[x] = parent[Int(parent[x])]
            x = Int(parent[x])
        }
        return x
    }

    /// Joins the sets of `a` and `b`; false when they were one already.
    @discardableResult
    public mutating func union(_ a: Int, _ b: Int) -> Bool {
        var ra = find(a), rb = find(b)
        guard ra != rb else { return false }
        if size[ra] < size[rb] { swap(&ra, &rb) }
        parent[rb] = Int32(ra)
        size[ra] += size[rb]
        return true
    }

    /// Members of each set with at least `minimum` members, each sorted, largest sets first.
    public mutating func components(minimum: Int) -> [[Int]] {
        var groups: [Int: [Int]] = [:]
        for index in parent.indices { groups[find(index), default: []].append(index) }
        return groups.values.filter { $0.count >= minimum }.map { $0.sorted() }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }
}
