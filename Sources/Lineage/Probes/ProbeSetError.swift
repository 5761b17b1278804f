/// A probe set or configuration file that cannot be used: names the file, the line, the probe id
/// and field where there are ones, what is wrong, and how to fix it.
public struct ProbeSetError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    /// The item the problem is inside, e.g. `probe identity-001` or `model qwen`.
    public let item: String?
    /// The field's path, e.g. `probes[3].sampling.temperature`.
    public let field: String?
    public let problem: String
    public let fix: String?

    public init(file: String, line: Int? = nil, item: String? = nil, field: String? = nil,
                _ problem: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.item = item
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let item { text += "\(item): " }
        if let field { text += "\(field): " }
        text += problem
        if let fix { text += "\n  fix: \(fix)" }
        return text
    }
}
