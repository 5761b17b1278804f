import Foundation
import Lineage

/// Shows a run's progress on standard error: a live line (done/total, rate, failures, time left)
/// on a terminal; elsewhere (a pipe, a CI log) only the start line and failures; with `quiet`, nothing
/// (the command's summary still counts the failures).
final class ProgressDisplay: @unchecked Sendable {
    private let liveLine: Bool
    private let quiet: Bool
    /// Every line passes through it: the runner redacts already, this is the last gate before the terminal.
    private let redactor: SecretRedactor
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var failed = 0
    private var tokens = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    init(liveLine: Bool, quiet: Bool = false, redactor: SecretRedactor = SecretRedactor(secrets: [])) {
        self.liveLine = liveLine && !quiet
        self.quiet = quiet
        self.redactor = redactor
    }

    func handle(_ event: CollectionEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let total, let alreadyStored, let pending, let runID):
            self.total = pending
            started = Date()
            emit("run \(runID): \(total) units, \(alreadyStored) already stored, \(pending) to ask")
        case .finished(let unit, let failure, let completionTokens):
            done += 1
            tokens += completionTokens
            if let failure {
                failed += 1
                emit("FAILED \(Self.label(unit)): \(failure)")
            }
        case .notice(let unit, let message):
            emit("\(Self.label(unit)): \(message)")
        }
        if liveLine, Date().timeIntervalSince(lastDraw) > 0.2 || done == total {
            lastDraw = Date()
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + status()).utf8))
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if liveLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func label(_ unit: WorkUnit) -> String { "\(unit.model) \(unit.probe.id)#\(unit.sampleIndex)" }

    private func status() -> String {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        return String(format: "[%d/%d] %.2f/s, %.0f tok/s, %d failed, %@ left",
                      done, total, rate, Double(tokens) / elapsed, failed, Self.duration(left))
    }

    private func emit(_ line: String) {
        guard !quiet else { return }
        let prefix = liveLine ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + Escape.terminal(redactor.redact(line)) + "\n").utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let seconds = Int(seconds.rounded())
        return seconds >= 3600 ? "\(seconds / 3600)h\(seconds % 3600 / 60)m"
            : seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }
}
