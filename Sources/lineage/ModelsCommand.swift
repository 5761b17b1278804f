import ArgumentParser
import Foundation
import Lineage

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models in the store with their probe and response counts.")

    @Flag(help: "Print a JSON object instead of a table.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    struct Listing: Encodable {
        let schema = "lineage.models/v1"
        let store: String
        let models: [ModelSummary]
    }

    func run() throws {
        let store = try storeOptions.open()
        let models = try store.modelSummaries()
        if json {
            print(try jsonString(Listing(store: store.path, models: models)))
            return
        }
        if models.isEmpty {
            print("The store \(store.path) holds no models yet. Add some with `lineage import FILE` or `lineage run`.")
            return
        }
        let width = max(5, models.map(\.name.count).max() ?? 0)
        print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  backend   probes  responses  failures")
        for model in models {
            print(model.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                  + model.backend.padding(toLength: 8, withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %9d  %8d", model.probes, model.responses, model.failures))
        }
        print("\(models.count) models, \(models.reduce(0) { $0 + $1.responses }) responses in \(store.path)")
    }
}
