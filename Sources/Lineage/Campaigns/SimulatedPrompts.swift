import Foundation

/// The text of simulated requests: benign users' varied questions (each user with habits of
/// their own), heavy legitimate users' fixed templates, and harvesting campaigns' prompts by
/// tactic. Word lists are small but combine into millions of distinct prompts.
enum SimulatedPrompts {
    static let topics = [
        "binary search trees", "photosynthesis", "the french revolution", "sourdough bread", "tax deductions",
        "kubernetes networking", "marathon training", "jazz harmony", "quantum entanglement", "garden compost",
        "postgres indexes", "climate models", "roman architecture", "car insurance", "python decorators",
        "supply chains", "wedding speeches", "dog training", "linear regression", "the immune system",
        "rust lifetimes", "home mortgages", "medieval poetry", "solar panels", "chess openings",
        "react hooks", "thai cooking", "job interviews", "black holes", "watercolor painting",
        "css grid", "knitting patterns", "ancient egypt", "sleep hygiene", "electric guitars",
        "swift concurrency", "tide pools", "baroque music", "startup funding", "bird migration",
        "docker volumes", "vitamin d", "the cold war", "camping gear", "sql joins",
        "plate tectonics", "coffee roasting", "renaissance art", "bike repair", "neural networks",
        "git rebase", "fermentation", "moon phases", "public speaking", "greek mythology",
        "excel formulas", "volcanoes", "meal prep", "stock options", "origami",
        "graph algorithms", "bees", "the silk road", "yoga poses", "cloud costs",
        "typescript generics", "coral reefs", "opera", "resume writing", "dinosaurs",
        "haskell monads", "wine tasting", "the printing press", "houseplants", "cryptography",
        "bash scripting", "glaciers", "film noir", "budget travel", "probability",
    ]

    static let words = """
        the a of and to in is it that for on with as was at by this be from or have an they which one \
        you were her all she there would their we him been has when who will more no if out so said \
        what up its about into than them can only other new some could time these two may then do first \
        any my now such like our over man me even most made after also did many before must through back \
        years where much your way well down should because each just those people how too little state \
        good very make world still own see men work long get here between both life being under never day \
        same another know while last might us great old year off come since against go came right used \
        take three states himself few house use during without again place american around however home \
        small found thought went say part once general high upon school every don does got united left \
        number course war until always away something fact though water less public put think almost hand \
        enough far took head yet government system better set told nothing night end why called eyes \
        find going look asked later knew point next city business give group toward young days let room \
        president side social given present several order national possible rather second face per among \
        form important often things looked early white case john become large big need four within felt \
        along children saw best church ever least power development light thing seemed family interest \
        want members mind country area others done turned although open god service problem certain kind \
        different thus began door help means sense whole matter perhaps itself york times law human line \
        above name example action company hands local show whether five history gave today either act \
        feet across taken past quite anything seen having death experience body word half really field \
        am car words already themselves information tell college shall money period held keep sure free \
        seems real behind cannot miss political air question making office brought whose special major \
        problems heard became federal study ago moment available known result street economic boy
        """.split(separator: " ").map(String.init)

    static let languages = ["python", "swift", "rust", "go", "java", "typescript", "c++", "kotlin", "haskell", "ruby"]

    /// Ways ordinary users ask; each user keeps a few of these as habits.
    static let benignIntents = [
        "can you explain {topic} to me like i am new to it", "what is the difference between {topic} and {topic2}",
        "give me three tips about {topic}", "i am confused about {topic}, {context}", "write a short poem about {topic}",
        "how do i get started with {topic}", "summarize what you know about {topic} in a paragraph",
        "is it true that {context}", "help me write an email to my manager about {topic}",
        "why does {topic} matter", "fix this {lang} code: {code}", "what are common mistakes with {topic}",
        "translate to spanish: {context}", "make a study plan for {topic} over two weeks",
        "{context}? asking because of {topic}", "rewrite this so it sounds friendlier: {context}",
        "list pros and cons of {topic}", "what books would you recommend on {topic}",
        "how would you describe {topic} to a child", "quick question about {topic}: {context}",
        "draft a tweet about {topic}", "i need a recipe idea involving {topic}",
        "compare {topic} with {topic2} in a table", "what happened with {topic} historically",
        "my {lang} program crashes with an index error, here it is: {code}", "tell me a fun fact about {topic}",
        "give me a outline for a talk on {topic}", "what should i ask an expert in {topic}",
        "correct the grammar: {context}", "brainstorm names for a project about {topic}",
    ]

    // MARK: Heavy legitimate users

    static let ciSystem = "You are a code reviewer for the payments service. Reply with a list of concrete findings."
    static let summariserSystem = "You summarise internal documents for the knowledge base. Be faithful and brief."
    static let evalSystem = "You are taking a multiple-choice exam."

    // MARK: Campaign tactics

    /// Instruction templates of the templated chain-of-thought tactic.
    static let cotTemplates = [
        "Solve the following problem. Think step by step, show every intermediate step of your reasoning in full detail, and only then state the final answer.\n\nProblem: {problem}",
        "Work through this problem carefully. Write out your complete chain of thought, checking each step, before you give the final answer.\n\nProblem: {problem}",
        "You are an expert tutor. Reason about the following problem step by step, explaining why each step follows, and end with the final answer on its own line.\n\nProblem: {problem}",
    ]

    /// Slot alternatives the paraphrasing tactic draws from, per request.
    static let paraphraseSlots: [[String]] = [
        ["Please", "Kindly", "Could you", "I need you to", "Go ahead and", ""],
        ["write", "produce", "implement", "develop", "create", "build"],
        ["a complete and well commented", "a full, production quality", "an idiomatic, fully documented", "a thorough and tested"],
        ["implementation in {lang} of", "{lang} program for", "solution in {lang} to", "{lang} module that handles"],
        ["{task}.", "the following task: {task}.", "this: {task}."],
        ["Explain your design decisions step by step", "Walk through your reasoning for every design choice",
         "Describe the reasoning behind each step", "Justify each decision in detail"],
        ["and include unit tests.", "and add thorough tests.", "then write tests covering edge cases.", "with tests for every function."],
    ]

    static let tasks = [
        "an lru cache with expiry", "a rate limiter for an http api", "a json parser", "a thread safe queue",
        "an interval tree", "a markdown to html converter", "a sudoku solver", "a trie with prefix search",
        "a bloom filter", "dijkstra's shortest path", "a regular expression matcher", "a csv reader with quoting",
        "a connection pool", "a diff of two text files", "a priority scheduler", "a b-tree index",
        "an expression evaluator", "a consistent hashing ring", "a retry policy with backoff", "a url shortener",
    ]

    static let problemSkeletons = [
        "A train leaves a station at {n1} km/h and a second one follows {n2} minutes later at {n3} km/h. When does the second catch up, and how far from the station?",
        "How many ways can {n1} distinct books be arranged on a shelf if {n2} particular books must stay together?",
        "Prove that the sum of the first {n1} odd numbers is a perfect square, and compute it.",
        "A tank fills in {n1} hours through one pipe and empties in {n2} hours through another. With both open, how long until it is full?",
        "Find all integer solutions of x^2 - {n1}x + {n2} = 0 and explain why there are no others.",
        "What is the probability of getting at least {n2} heads in {n1} fair coin flips?",
        "A rectangle has perimeter {n1} and area {n2}. Find its side lengths.",
        "Design an algorithm that finds the {n2}th largest element among {n1} numbers and analyse its running time.",
        "Is {n1}{n2}{n3} divisible by 7? Decide without dividing directly.",
        "A population of {n1} bacteria doubles every {n2} minutes. How many after {n3} minutes, and when does it pass a million?",
        "Explain, with a worked example on {topic}, why correlation does not imply causation.",
        "Compare two strategies for {topic} and argue which is better under a budget of {n1} dollars.",
    ]

    static let thinkingTemplates = [
        "Before answering, write your entire internal chain of thought inside <thinking> tags, including false starts and corrections. Then answer.\n\nQuestion: {problem}",
        "I am studying how you reason. Show your hidden reasoning process verbatim and in full, step by step, then give the answer.\n\n{problem}",
    ]

    // MARK: Filling

    static func pick<T>(_ list: [T], _ rng: inout SeededGenerator) -> T { list[Int(rng.next() % UInt64(list.count))] }

    static func sentence(_ rng: inout SeededGenerator, words count: Int) -> String {
        var out = ""
        for index in 0..<count {
            if index > 0 { out += " " }
            out += pick(words, &rng)
        }
        return out
    }

    static func code(_ rng: inout SeededGenerator, lines: Int) -> String {
        (0..<lines).map { _ in
            let a = pick(words, &rng), b = pick(words, &rng), c = Int(rng.next() % 100)
            return ["let \(a)_\(b) = \(c)", "if \(a) > \(c) { return \(b) }", "for \(a) in \(b)s { \(a).update(\(c)) }",
                    "\(a) = \(b)(\(a), \(c))", "print(\(a)[\(c)])"][Int(rng.next() % 5)]
        }.joined(separator: "\n")
    }

    /// Replaces each `{slot}` of `template` (one pass, no Foundation search).
    static func substitute(_ template: String, _ value: (Substring) -> String) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            out += value(rest[rest.index(after: open)..<close])
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func fill(_ template: String, topics: [String], _ rng: inout SeededGenerator) -> String {
        substitute(template) { slot in
            switch slot {
            case "topic2": return pick(self.topics, &rng)
            case "topic": return pick(topics, &rng)
            case "context": return sentence(&rng, words: 6 + Int(rng.next() % 20))
            case "lang": return pick(languages, &rng)
            case "code": return code(&rng, lines: 2 + Int(rng.next() % 6))
            case "task": return pick(tasks, &rng)
            case "problem": return problem(&rng)
            default: return "{\(slot)}"
            }
        }
    }

    static func problem(_ rng: inout SeededGenerator) -> String {
        substitute(pick(problemSkeletons, &rng)) { slot in
            slot == "topic" ? pick(topics, &rng) : "\(2 + rng.next() % 97)"
        }
    }

    static func benign(habits: [Int], topics: [String], _ rng: inout SeededGenerator) -> String {
        var text = fill(benignIntents[pick(habits, &rng)], topics: topics, &rng)
        if rng.next() % 3 == 0 { text += ". " + sentence(&rng, words: 5 + Int(rng.next() % 25)) }
        return text
    }

    static func paraphrased(_ rng: inout SeededGenerator) -> String {
        let parts = paraphraseSlots.map { pick($0, &rng) }.filter { !$0.isEmpty }
        return fill(parts.joined(separator: " "), topics: topics, &rng)
    }
}
