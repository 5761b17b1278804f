import Foundation

extension Array where Element: Sendable {
    /// `map` spread over the machine's cores, results in order: for independent CPU-bound work
    /// such as reading and hashing one transcript file per element.
    func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        Lineage.concurrentSlots(count) { transform(self[$0]) }
    }
}

/// One slot per result, written from several threads under a lock.
private final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [T?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// `(0..<count).map(transform)` spread over the machine's cores, results in index order, so that
/// what it returns does not depend on how many cores ran it. When some indices throw, the error of
/// the lowest one is rethrown, as the serial map would have thrown it first.
func concurrentMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) throws -> T) throws -> [T] {
    guard count > 1 else { return try (0..<count).map(transform) }
    return try concurrentSlots(count) { index in Result { try transform(index) } }.map { try $0.get() }
}

/// `(0..<count).map(body)` on every core, results in index order: the one loop both maps run.
private func concurrentSlots<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let results = ResultSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { index in results.set(index, body(index)) }
    return results.values.map { $0! }
}
