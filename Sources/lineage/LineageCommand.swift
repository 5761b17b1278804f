import ArgumentParser
import Lineage

@main
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Find out, from the outside, whether one language model was trained on another's outputs.",
        version: LineageVersion.current,
        subcommands: [ImportCommand.self, ExportCommand.self, ModelsCommand.self, RunCommand.self,
                      SimilarityCommand.self, AttributeCommand.self, EqualityCommand.self,
                      ReportCommand.self, VerifyCommand.self, TreeCommand.self, ControlsCommand.self, ScreenCommand.self, KeysCommand.self,
                      LogsCommand.self, CampaignsCommand.self, ServedCommand.self, ServedTestCommand.self, CanaryCommand.self,
                      StudyCommand.self, ExplainCommand.self]
    )

    static func main() async {
        BLASCoreSelection.reexecuteWithBetterCoreIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
