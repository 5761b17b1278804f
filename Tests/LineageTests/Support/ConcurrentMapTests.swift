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
}
