import ArgumentParser
import Foundation

/// A command's help in two parts: `--help` shows a short overview, the options and the examples;
/// `lineage explain COMMAND` shows the method, the verdicts and the exit codes after them.
enum Help {
    /// Joins hand-wrapped lines into paragraphs, so that the terminal wraps them at its own width;
    /// indented lines (tables, examples, lists) and blank lines stay as they are.
    static func reflow(_ text: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { out.append(paragraph.joined(separator: " ")) }
            paragraph = []
        }
        for line in text.components(separatedBy: "\n") {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush()
                out.append("")
            } else if line.hasPrefix(" ") {
                flush()
                out.append(line)
            } else {
                paragraph.append(line)
                // A line ending in ":" introduces a table or a list: the paragraph ends with it.
                if line.hasSuffix(":") { flush() }
            }
        }
        flush()
        return out.joined(separator: "\n")
    }

    /// The terminal's width (COLUMNS, else the terminal's, else 80), at most 100 for reading.
    static var terminalWidth: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return min(columns, 100) }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return min(Int(size.ws_col), 100) }
        return 80
    }

    /// Word-wraps each unindented paragraph at `width`; indented lines are left as they are.
    static func wrap(_ text: String, width: Int) -> String {
        text.components(separatedBy: "\n").map { line -> String in
            guard !line.hasPrefix(" "), line.count > width else { return line }
            var lines: [String] = []
            var current = ""
            for word in line.split(separator: " ") {
                if !current.isEmpty && current.count + 1 + word.count > width {
                    lines.append(current)
                    current = String(word)
                } else {
                    current += (current.isEmpty ? "" : " ") + word
                }
            }
            if !current.isEmpty { lines.append(current) }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// The text before "Examples:" (the theory) and the examples block itself.
    static func split(_ text: String) -> (theory: String, examples: String) {
        guard let range = text.range(of: "Examples:\n") ?? text.range(of: "Example:\n") ?? text.range(of: "Examples (") else { return (text, "") }
        return (String(text[..<range.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines),
                String(text[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The discussion `--help` shows: `lead` (a sentence or two), the examples, and where the theory is.
    static func discussion(_ full: String, command: String, lead: String) -> String {
        let examples = split(full).examples
        return reflow(lead) + "\n\n" + examples + "\n\nHow it works, what each verdict means, the exit codes: `lineage explain \(command)`."
    }

    /// The theory of each command that has one, for `lineage explain`.
    static let topics: [(command: String, configuration: CommandConfiguration, theory: String)] = [
        ("attribute", AttributeCommand.configuration, AttributeCommand.theory),
        ("equality", EqualityCommand.configuration, EqualityCommand.theory),
        ("tree", TreeCommand.configuration, TreeCommand.theory),
        ("screen", ScreenCommand.configuration, ScreenCommand.theory),
        ("run", RunCommand.configuration, RunCommand.theory),
        ("served-test", ServedTestCommand.configuration, ServedTestCommand.theory),
    ]
}

/// `lineage explain COMMAND`: the method behind a command, its verdicts and exit codes (kept out of `--help`,
/// so that the options come first there).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain the method behind a command: what it tests, its verdicts and exit codes.",
        discussion: """
            Examples:
              lineage explain attribute
              lineage explain equality | less
            """)

    @Argument(help: ArgumentHelp("The command: \(Help.topics.map(\.command).joined(separator: ", ")).", valueName: "command"))
    var command: String

    func validate() throws {
        guard Help.topics.contains(where: { $0.command == command }) else {
            throw ValidationError("no explanation for '\(command)'; there is one for \(Help.topics.map(\.command).joined(separator: ", "))")
        }
    }

    func run() throws {
        let topic = Help.topics.first { $0.command == command }!
        print("lineage \(topic.command): \(topic.configuration.abstract)\n")
        print(Help.wrap(Help.reflow(Help.split(topic.theory).theory), width: Help.terminalWidth))
    }
}
