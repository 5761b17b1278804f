import ArgumentParser
import Foundation
import Lineage

extension ExitCodes {
    /// Some requests failed after every retry; they are stored as failures and a rerun retries them.
    static let someRequestsFailed: Int32 = 3
}

struct RunCommand: AsyncParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain run` prints it; `--help` shows its examples.
    static let theory = """
            Each probe is asked SAMPLES times of each model; a probe with
            several turns is asked turn by turn, with the model's own
            earlier answers in the conversation. Every answer (or failure,
            with its reason) is committed to the store as it arrives, so a
            run that is killed loses only the requests in flight. Running
            the same command again asks only what is not stored yet, and
            retries what failed.

            Models come from --model: either the name of a model in the
            --config file, or a spec
            `name=NAME,backend=openai|anthropic|gemini,endpoint=URL,model=PROVIDER_ID[,key=value...]`
            with the config file's keys (api_key_env, concurrency,
            requests_per_minute, tokens_per_minute, timeout, max_attempts).
            API keys are read from the environment only (OPENAI_API_KEY,
            ANTHROPIC_API_KEY, GEMINI_API_KEY, or the variable named by
            api_key_env) and never stored, logged or shown. A local
            OpenAI-compatible server needs no key.

            Sampling: the model's defaults, then the probe set's `defaults`,
            then the options below, then each probe's own `sampling` (a
            probe that asks for temperature 0 keeps it). A seed given for
            every probe (--seed, the model's or the set's) becomes one seed
            per probe and sample, a stable hash of the three, so samples
            differ but reproduce and no two prompts share a random stream;
            a probe's own seed is offset by the sample index.

            Failed calls are retried with exponential backoff and jitter on
            429, 5xx, timeouts, broken connections and malformed replies,
            honouring Retry-After.

            Exit codes:
              0  every unit has a stored answer
              1  the run could not proceed (store or network setup failed)
              2  bad input (probe set, config, options); nothing was sent
              3  some requests failed after all retries (stored as failures; run again to retry them)

            Examples:
              lineage run probes/smoke.yaml --config models.yaml \\
                  --model smollm2 --model qwen --samples 2
              lineage run probes/core.yaml --dry-run \\
                  --model name=gpt-4o-mini,backend=openai,model=gpt-4o-mini
              ANTHROPIC_API_KEY=... lineage run probes/core.yaml --temperature 0.7 \\
                  --model name=haiku,backend=anthropic,model=claude-3-5-haiku-latest
            """

    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Ask models every probe of a probe set and store their answers.",
        discussion: Help.discussion(theory, command: "run", lead: """
            Asks each model every probe of the set, SAMPLES times, and commits every answer (or failure) to the store as it arrives. Running the same command again asks only what is not stored yet. Keys come from the environment only. --dry-run prints the requests, tokens and cost and sends nothing.
            """))

    @Argument(help: ArgumentHelp("The probe set YAML file.", valueName: "probe-set"))
    var probeSetPath: String

    @Option(name: .customLong("model"), help: ArgumentHelp(
        "A model: a name from --config, or name=...,backend=...,endpoint=...,model=... (repeatable).", valueName: "model"))
    var models: [String] = []

    @Option(help: ArgumentHelp("Model configuration file (YAML, see README).", valueName: "path"))
    var config: String?

    @Option(help: "Samples per probe and model.")
    var samples = 1

    @Option(help: ArgumentHelp("Sampling temperature (0 to 2).", valueName: "t"))
    var temperature: Double?

    @Option(name: .customLong("top-p"), help: ArgumentHelp("Nucleus sampling top_p (0 to 1).", valueName: "p"))
    var topP: Double?

    @Option(name: .customLong("max-tokens"), help: ArgumentHelp("Most tokens per answer.", valueName: "n"))
    var maxTokens: Int?

    @Option(help: ArgumentHelp("Sampling seed, where the API supports one (one seed per probe and sample is derived from it).", valueName: "n"))
    var seed: Int?

    @Option(help: ArgumentHelp("Ask for log-probabilities with N alternatives per token (0: chosen tokens only); kept in the raw reply.", valueName: "n"))
    var logprobs: Int?

    @Option(name: .customLong("probe"), help: ArgumentHelp("Ask only this probe id (repeatable).", valueName: "id"))
    var probeIDs: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print the requests, tokens and cost the run would take; send nothing.")
    var dryRun = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress on standard error (a terminal shows a live line; a pipe or a CI log only the start line and failures).")
    var quiet = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("name at least one --model") }
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if let temperature, !(0...2).contains(temperature) { throw ValidationError("--temperature must be from 0 to 2") }
        if let topP, !(0...1).contains(topP) { throw ValidationError("--top-p must be from 0 to 1") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let logprobs, !(0...20).contains(logprobs) { throw ValidationError("--logprobs must be from 0 to 20") }
    }

    func run() async throws {
        let plan: CollectionPlan
        do {
            plan = try makePlan()
        } catch let error as ProbeSetError {
            printError("\(error)")
            throw ExitCode(ExitCodes.badInput)
        }
        if dryRun {
            try printDryRun(plan)
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let store = try storeOptions.open()
        let transport = AsyncHTTPTransport()
        let runner: CollectionRunner
        do {
            runner = try CollectionRunner(store: store, plan: plan, environment: environment,
                                          transport: transport, command: invocation, probeSetPath: probeSetPath)
        } catch let error as ModelConfigurationError {
            await transport.shutdown()
            printError("\(error)")
            throw ExitCode(ExitCodes.badInput)
        }
        let redactor = SecretRedactor(secrets: SecretRedactor.heldSecrets(models: plan.models, environment: environment))
        for model in plan.models {
            if let key = environment[model.keyVariable], !key.isEmpty, SecretRedactor.isShort(key) {
                warn("the key in \(model.keyVariable) is only \(key.count) characters long; every occurrence of it in "
                     + "answers, errors and raw bodies is replaced by \(SecretRedactor.placeholder), which may alter answers "
                     + "that happen to contain those characters")
            }
        }
        let progress = ProgressDisplay(liveLine: Terminal.liveLine,
                                       quiet: quiet, redactor: redactor)
        let summary: CollectionSummary
        do {
            summary = try await runner.run { progress.handle($0) }
        } catch {
            await transport.shutdown()
            progress.finish()
            printError(redactor.redact("the run stopped: \(error)"))
            throw ExitCode(ExitCodes.failure)
        }
        await transport.shutdown()
        progress.finish()
        if summary.succeeded > 0 { store.cacheNewAnswers(progress: StageProgress(enabled: !quiet && Terminal.liveLine)) }
        if json {
            print(try jsonString(summary))
        } else {
            print("run \(summary.runID): \(summary.succeeded) answers stored, \(summary.failed) failed, "
                  + "\(summary.alreadyStored) already stored, of \(summary.total) "
                  + "(\(summary.completionTokens) tokens generated in \(String(format: "%.1f", summary.seconds)) s)")
            print("probe set \(plan.probeSet.id) \(plan.probeSet.version), sha256 \(summary.probeSetHash); store: \(store.path)")
            if summary.failed > 0 { print("run the same command again to retry the \(summary.failed) failed units") }
        }
        if summary.failed > 0 { throw ExitCode(ExitCodes.someRequestsFailed) }
    }

    func makePlan() throws -> CollectionPlan {
        let probeSet = try ProbeSetLoader.load(path: probeSetPath)
        let unknown = probeIDs.filter { id in !probeSet.probes.contains { $0.id == id } }
        if !unknown.isEmpty {
            throw ProbeSetError(file: probeSetPath, "no probe with id \(unknown.joined(separator: ", "))",
                                fix: "check --probe against the ids in the file")
        }
        let configured = try config.map(ModelConfigurationLoader.load(path:)) ?? []
        var chosen: [ModelConfiguration] = []
        for spec in models {
            let model: ModelConfiguration
            if spec.contains("=") {
                model = try ModelConfigurationLoader.parse(spec: spec)
            } else if let found = configured.first(where: { $0.name == spec }) {
                model = found
            } else {
                throw ProbeSetError(file: config ?? "--model", "no model named `\(spec)`" + (config == nil ? " (no --config given)" : ""),
                                    fix: configured.isEmpty
                                        ? "pass --config FILE, or describe the model: --model name=\(spec),backend=openai,endpoint=URL"
                                        : "use one of \(configured.map(\.name).joined(separator: ", "))")
            }
            if chosen.contains(where: { $0.name == model.name }) {
                throw ProbeSetError(file: "--model", "model `\(model.name)` is named twice", fix: "name each model once")
            }
            chosen.append(model)
        }
        let options = CollectionOptions(samples: samples,
                                        overrides: SamplingParameters(temperature: temperature, topP: topP,
                                                                      maxTokens: maxTokens, seed: seed),
                                        probeIDs: probeIDs, logprobs: logprobs)
        return CollectionPlan(probeSet: probeSet, models: chosen, options: options)
    }

    struct DryRun: Encodable {
        let schema = "lineage.dry-run/v1"
        let probeSet: String
        let probeSetHash: String
        let units: Int
        let alreadyStored: Int
        let models: [ModelEstimate]
        /// The first request of every unit still to ask, as it would be sent (no key: keys go in headers, never here).
        let requests: [PlannedRequest]
    }

    struct PlannedRequest: Encodable {
        let model: String
        let probe: String
        let sampleIndex: Int
        let url: String
        let body: String
        /// Later turns of a multi-turn probe carry the model's own earlier answers, so only the first can be shown.
        let turns: Int
    }

    /// Each pending unit's first request, built by the same wire format the run uses.
    static func plannedRequests(_ plan: CollectionPlan, _ pending: [WorkUnit]) -> [PlannedRequest] {
        let configurations = Dictionary(plan.models.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return pending.compactMap { unit in
            guard let model = configurations[unit.model], let first = unit.probe.content.turns.first else { return nil }
            let request = ChatRequest(system: unit.probe.content.system, messages: [ChatMessage(.user, first)],
                                      parameters: unit.parameters, logprobs: plan.options.logprobs)
            let spec = model.backend.wireFormat.httpRequest(for: request, model: model, apiKey: nil)
            return PlannedRequest(model: unit.model, probe: unit.probe.id, sampleIndex: unit.sampleIndex, url: spec.url,
                                  body: String(decoding: spec.body, as: UTF8.self), turns: unit.probe.content.turns.count)
        }
    }

    func printDryRun(_ plan: CollectionPlan) throws {
        // Read the store only if it exists: a dry run creates nothing.
        let store = FileManager.default.fileExists(atPath: storeOptions.store) ? try storeOptions.open() : nil
        let pending = try plan.pending(in: store)
        let estimates = plan.estimate(pending)
        let requests = Self.plannedRequests(plan, pending)
        if json {
            print(try jsonString(DryRun(probeSet: plan.probeSet.id, probeSetHash: plan.probeSet.contentHash,
                                        units: plan.units.count, alreadyStored: plan.units.count - pending.count,
                                        models: estimates, requests: requests)))
            return
        }
        print("dry run: \(plan.probeSet.id) \(plan.probeSet.version), \(plan.units.count) units, "
              + "\(plan.units.count - pending.count) already stored; nothing is sent")
        for estimate in estimates {
            var line = "  \(estimate.model): \(estimate.requests) requests (\(estimate.units) units), "
                + "about \(estimate.promptTokens) prompt + at most \(estimate.completionTokens) answer tokens"
            if let cost = estimate.costUSD { line += String(format: ", at most $%.4f", cost) }
            else { line += " (no price configured)" }
            print(line)
        }
        let costs = estimates.compactMap(\.costUSD)
        if !costs.isEmpty { print(String(format: "  total at most $%.4f for priced models", costs.reduce(0, +))) }
        let shown = 10
        if !requests.isEmpty {
            print("requests (the first turn of each unit; a later turn adds the model's own earlier answers):")
            for request in requests.prefix(shown) {
                print("  \(request.model) \(request.probe)#\(request.sampleIndex)\(request.turns > 1 ? " (turn 1 of \(request.turns))" : ""): POST \(request.url)")
                print("    " + request.body)
            }
            if requests.count > shown { print("  ... and \(requests.count - shown) more (--json lists every request)") }
        }
    }
}
