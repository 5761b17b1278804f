import Foundation

/// How a long computation says how far it has got: `progress("study", 3, of: 75)` once 3 of 75
/// studies are done. The default, `.silent`, says nothing; the command line draws the counts on a
/// terminal's standard error. It may be called from several threads at once.
public struct WorkProgress: Sendable {
    private let report: @Sendable (_ step: String, _ done: Int, _ total: Int) -> Void

    public init(_ report: @escaping @Sendable (_ step: String, _ done: Int, _ total: Int) -> Void) {
        self.report = report
    }

    public static let silent = WorkProgress { _, _, _ in }

    public func callAsFunction(_ step: String, _ done: Int, of total: Int) {
        report(step, done, total)
    }

    /// Counts `total` steps finished in any order on any threads (work spread over the cores):
    /// each `advance()` reports one more done.
    public func counter(_ step: String, of total: Int) -> Counter {
        Counter(progress: self, step: step, total: total)
    }

    public final class Counter: @unchecked Sendable {
        private let progress: WorkProgress
        private let step: String
        private let total: Int
        private let lock = NSLock()
        private var done = 0

        init(progress: WorkProgress, step: String, total: Int) {
            self.progress = progress
            self.step = step
            self.total = total
        }

        public func advance() {
            let count = lock.withLock {
                done += 1
                return done
            }
            progress(step, count, of: total)
        }
    }
}
