import Foundation
import ArgumentParser
import Lineage

@main
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Find out, from the outside, whether one language model was trained on another's outputs.",
        discussion: """
            Examples:
              lineage run probes/core.yaml --config models.yaml --model s --samples 2
              lineage attribute --suspect s --reference r --control c1 --control c2
              lineage equality release-1 release-2 --junit junit.xml
              lineage study studies/release-check.yaml
              lineage explain attribute

            Every command that prints results takes --format text|json|csv|md (--json for short). The store is $LINEAGE_STORE, else results/lineage.sqlite; --store names another.
            """,
        version: LineageVersion.current,
        subcommands: [ImportCommand.self, ExportCommand.self, ModelsCommand.self, RunCommand.self,
                      SimilarityCommand.self, AttributeCommand.self, EqualityCommand.self,
                      ReportCommand.self, VerifyCommand.self, TreeCommand.self, ControlsCommand.self, ScreenCommand.self, CacheCommand.self, KeysCommand.self,
                      LogsCommand.self, CampaignsCommand.self, ServedCommand.self, ServedTestCommand.self, CanaryCommand.self,
                      StudyCommand.self, ExplainCommand.self]
    )

    static func main() async {
        BLASCoreSelection.reexecuteWithBetterCoreIfNeeded()
        BLASThreads.useOnePerCall()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A mistyped command line is bad input like any other: exit 2 (the README's table), not 64.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(ExitCodes.badInput)
            }
            exit(withError: error)
        }
    }
}
