import ArgumentParser
import Lineage

@main
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Find out, from the outside, whether one language model was trained on another's outputs.",
        version: LineageVersion.current,
        subcommands: [ImportCommand.self, ExportCommand.self, ModelsCommand.self, RunCommand.self]
    )
}
