import Foundation

/// Bad input to an import: names the file, the line (when there is one), what is wrong and how to fix it.
public struct ImportError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    public let problem: String
    public let fix: String?

    public init(file: String, line: Int? = nil, _ problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var text = line.map { "\(file):\($0): \(problem)" } ?? "\(file): \(problem)"
        if let fix { text += "\n  fix: \(fix)" }
        return text
    }

    public var errorDescription: String? { description }
}
