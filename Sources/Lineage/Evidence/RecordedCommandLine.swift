import Foundation

extension Reproducibility {
    /// A command line split back into its arguments, the inverse of how the CLI records one: an
    /// argument that holds a space, or is empty, stands in single quotes.
    public static func arguments(of command: String) -> [String] {
        var arguments: [String] = []
        var current = ""
        var quoted = false, started = false
        for character in command {
            if character == "'" { quoted.toggle(); started = true; continue }
            if character == " " && !quoted {
                if started { arguments.append(current) }
                current = ""
                started = false
                continue
            }
            current.append(character)
            started = true
        }
        if started { arguments.append(current) }
        return arguments
    }
}
