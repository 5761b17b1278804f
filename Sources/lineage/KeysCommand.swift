import ArgumentParser
import Foundation
import Lineage

/// `lineage keys`: make and show the Ed25519 key that signs reports.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make or show the Ed25519 key that signs report root hashes.",
        discussion: """
            A signed report ties its root hash (and so every probe, response, result and file \
            behind it) to whoever holds the private key. Keep the key file private (it is written \
            readable by you only); give others the public key, which `show` prints.

            Examples:
              lineage keys create --key ~/.config/lineage/signing.key
              lineage keys show --key ~/.config/lineage/signing.key
              lineage attribute ... --report results/r \\
                  --sign-key ~/.config/lineage/signing.key
              lineage verify results/r --signer PUBLIC_KEY
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable { case create, show }

    @Argument(help: "create: make a new key file (never overwrites one); show: print a key file's public key.")
    var action: Action

    @Option(help: ArgumentHelp("The private key file.", valueName: "path"))
    var key: String

    func run() throws {
        do {
            switch action {
            case .create:
                let publicKey = try SigningKey.create(key)
                print("made \(key) (keep it private)\npublic key: \(publicKey)")
            case .show:
                print(try SigningKey.publicKey(key))
            }
        } catch let error as ReportError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
    }
}
