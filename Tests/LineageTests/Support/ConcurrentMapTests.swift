import Foundation
import Testing
@testable import Lineage

/// The parallel map against the serial one: the same values in the same order, and the error the
/// serial map would have thrown first.
@Suite struct ConcurrentMapTests {
    struct Failure: Error, Equatable { let index: Int }

    @Test func resultsComeInIndexOrderWhateverFinishesFirst() throws {
        for count in [0, 1, 2, 3, 17, 1_000] {
            let values = try concurrentMap(count) { index -> Int in
                // Early indices take longest, so an unordered gather would show it.
                if index < 4 { usleep(UInt32(2_000 * (4 - index))) }
                return index * index
            }
            #expect(values == (0..<count).map { $0 * $0 })
        }
    }

    @Test func theLowestFailingIndexIsRethrown() {
        #expect(throws: Failure(index: 3)) {
            _ = try concurrentMap(50) { index -> Int in
                if index == 3 || index == 40 { throw Failure(index: index) }
                return index
            }
        }
    }

    /// Results are moved, not copied: every object made is released once, whether the map returns
    /// (when its array goes) or throws (at once), and the array holds the very objects made.
    @Test func everyResultIsReleasedOnceOnEitherPath() throws {
        final class Tracked: @unchecked Sendable {
            static let lock = NSLock()
            nonisolated(unsafe) static var alive = 0
            let index: Int
            init(_ index: Int) { self.index = index; Self.lock.withLock { Self.alive += 1 } }
            deinit { Self.lock.withLock { Self.alive -= 1 } }
        }
        do {
            let values = try concurrentMap(300) { Tracked($0) }
            #expect(values.map(\.index) == Array(0..<300))
            #expect(Tracked.lock.withLock { Tracked.alive } == 300)
        }
        #expect(Tracked.lock.withLock { Tracked.alive } == 0)
        #expect(throws: Failure(index: 7)) {
            _ = try concurrentMap(300) { index -> Tracked in
                if index == 7 { throw Failure(index: index) }
                return Tracked(index)
            }
        }
        #expect(Tracked.lock.withLock { Tracked.alive } == 0)
        #expect([Int](0..<200).concurrentMap { Tracked($0) }.map(\.index) == Array(0..<200))
        #expect(Tracked.lock.withLock { Tracked.alive } == 0)
    }
}
