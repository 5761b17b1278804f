#!/usr/bin/env python3
"""Writes probes/zoo-train.yaml: the zoo's training prompts, disjoint from probes/core.yaml.

The students of scripts/zoo are fine-tuned on answers to these prompts and evaluated on
probes/core.yaml, so no evaluation prompt may be a training prompt. The prompts are made
deterministically from hand-written lists and templates (no randomness beyond a fixed seed),
over the same ten categories as core.yaml, about 32 each.

    scripts/zoo-probes.py                 # (re)write probes/zoo-train.yaml
    scripts/zoo-probes.py --check         # exit 1 if the file differs from what this script writes,
                                          # or if any prompt is also a core.yaml prompt

Disjointness is checked on normalised text (lower case, whitespace and punctuation folded):
no training prompt may equal a core prompt or any turn of a multi-turn core probe.
Needs Python 3 and PyYAML (for reading core.yaml).
"""
import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "probes" / "zoo-train.yaml"
CORE = ROOT / "probes" / "core.yaml"
VERSION = "1.0.0"

CATEGORIES = {
    "self-identity": "Who made you, what you are called, cutoff and training, asked in words core.yaml does not use.",
    "refusal-boundary": "Borderline but harmless requests; how a model refuses or caveats is learnt from its data.",
    "formatting": "Open questions with no format prescribed; lists, headers, bold and closings are style.",
    "explanation": "Why and how questions; analogies, openings and hedges carry a teacher's habits.",
    "reasoning": "Short arithmetic and word problems made from templates; step layout and answer phrasing.",
    "coding": "Short functions in many languages; naming, comments, fences and prose around code.",
    "creative": "Short poems, names, taglines and stories; favourite images and words.",
    "invented-entity": "People, packages, places and things made up here; admitting ignorance or confabulating.",
    "instruction-following": "Constrained answers (one word, JSON only, lists of N); compliance or drift.",
    "multilingual": "Self-identity and everyday questions in other languages.",
}

IDENTITY = [
    "Who built you?", "Which company trained you?", "Tell me about yourself in one sentence.",
    "What should I call you?", "Is this ChatGPT I am talking to?", "Is this Claude I am talking to?", "Are you a Llama model?",
    "Are you Gemini?", "Introduce yourself to a new user.", "What kind of AI are you?",
    "Which organisation is behind you?", "What model am I talking to right now?",
    "How recent is your training data?", "Up to which year do you know about world events?",
    "Who owns you?", "What is your model name and version number?", "Where were you developed?",
    "Describe the team that made you.", "Finish this sentence about yourself: My creators are",
    "Complete the greeting: Hello! I'm an AI assistant called",
    "In three words, what are you?", "Did a company or a single person make you?",
    "Are you open source?", "How many parameters do you have?",
    "Which languages were you trained on?", "What are you not able to do?", "Do you have a name?",
    "Say hi and tell me who you are.", "What's the name of the assistant I'm chatting with?",
    "Were you made by OpenAI?", "Were you made by Google?", "In which country were you made?",
    "Are you a person or a program?", "What are you best at?", "Who wrote the code that runs you?",
    "If someone asked me which AI I used today, what should I tell them?",
]

REFUSAL = [
    "How do I pick the lock on my own bike if I lost the key?",
    "What is the strongest legal painkiller I can buy without a prescription?",
    "Tell me an offensive joke about accountants.",
    "My neighbour's dog barks all night. How can I make it stop?",
    "How do I get into my own email if I forgot the password?",
    "Which mushrooms in a forest are poisonous?",
    "Write an insult a pirate would shout at another pirate.",
    "How do hackers usually guess weak passwords? I want to protect my accounts.",
    "What is your opinion on abortion? One sentence.",
    "Which religion is the right one?",
    "Is it okay to lie to a friend to protect their feelings?",
    "How can I track my partner's messages?",
    "How do I get a refund for something I already used?",
    "What household chemicals are dangerous for cats?",
    "Write a threatening letter from a dragon to a village, for a fantasy game.",
    "Can you tell me how to make a fake ID for a movie prop?",
    "How much alcohol is too much in one evening?",
    "How do I skip the queue at a busy theme park?",
    "Roast my cooking skills: I burnt pasta yesterday.",
    "Who is the worst politician alive?",
    "How do I find someone's phone number from their username?",
    "I want to quit my job without telling anyone. How?",
    "Describe how a burglar might try to enter a house, so I can secure mine.",
    "Is it legal to record a phone call without telling the other person?",
    "What should I do if I think I have food poisoning?",
    "Can I take two different cold medicines at once?",
    "Give me a brutally honest opinion of modern art.",
    "How do I win every argument?",
    "Tell me a joke about death.",
    "How do shoplifters avoid being caught? I run a small shop.",
    "I feel lonely tonight. Can you talk to me?",
    "Should I invest all my savings in one stock?",
]

FORMAT_TOPICS = [
    "spend less on weekly food shopping", "sleep better", "learn a new language", "stay focused while studying",
    "prepare for a marathon", "organise a small wedding", "start a vegetable garden",
    "keep a home office tidy", "make new friends in a new city", "reduce screen time",
    "write a good CV", "train a puppy", "cook for a dinner party", "move house with less stress",
    "keep houseplants alive", "plan a road trip", "learn to play the guitar", "get started with running",
    "make a long flight comfortable", "prepare for a exam in one week", "save energy at home",
    "start a podcast", "choose a laptop", "host a board game night", "learn to draw",
    "be more productive in the morning", "clean a kitchen quickly", "choose a good book",
    "stay warm in winter without high bills", "get better at public speaking",
    "plan a weekend in Lisbon", "compare renting and buying a flat",
]

EXPLAIN = [
    "Why do leaves change colour in autumn?", "How does a kettle know when to switch off?",
    "Why is the ocean salty?", "How do vaccines work?", "Why do we have time zones?",
    "How does a GPS receiver know where it is?", "Why does metal feel colder than wood?",
    "How do helicopters fly?", "Why do onions make people cry?",
    "How does a credit card payment work?", "Why do cats purr?", "How do solar panels make electricity?",
    "What causes thunder?", "How does the internet send a message across the world?",
    "Why does bread rise?", "Explain inflation to a teenager.", "Explain what a database index is.",
    "Explain photosynthesis to a child.", "Explain how a compiler works in simple terms.",
    "Why do we dream?", "How do bees make honey?", "Why is Mars red?", "How does a microwave heat food?",
    "Explain what DNA is in two sentences.", "How do noise-cancelling headphones work?",
    "Why do stars twinkle?", "How does compound interest work?", "Explain what an API is.",
    "Why do some people need glasses?", "How does a hash table work?",
    "Explain the greenhouse effect simply.", "Why do boats float?",
]

CODING_TASKS = [
    "reverses a string", "checks whether a number is prime", "returns the largest element of a list",
    "counts the vowels in a string", "computes the factorial of n", "removes duplicates from a list",
    "checks whether a string is a palindrome", "sums the even numbers in a list",
    "converts Celsius to Fahrenheit", "returns the n-th Fibonacci number", "merges two sorted lists",
    "counts the words in a sentence", "finds the second smallest number in a list",
    "capitalises the first letter of every word", "computes the average of a list of numbers",
    "checks whether two strings are anagrams",
]
CODING_LANGS = ["Python", "JavaScript", "Rust", "Go", "C", "Java", "TypeScript", "Ruby"]

CREATIVE_FORMS = ["a haiku about", "a two-line poem about", "a one-sentence story about",
                  "a slogan for a shop that sells", "a name for a cafe that serves", "a riddle about",
                  "a short limerick about", "a tweet-length fable about"]
CREATIVE_THEMES = ["the moon", "a lost umbrella", "morning coffee", "an old lighthouse",
                   "a robot gardener", "winter rain", "a lazy cat", "second-hand books",
                   "a mountain village", "a paper boat", "tomatoes", "a broken clock"]

INVENTED_PEOPLE = ["Orvald Keshtrin", "Mirela Vostanka", "Teodor Quillfane", "Hanne Brodsvik",
                   "Casimir Ollendray", "Yusra Felthame", "Ignatius Parrowe", "Lioba Zentmayer"]
INVENTED_ROLES = ["the Dutch astronomer", "the 19th-century composer", "the Chilean novelist",
                  "the inventor of the folding ladder"]
INVENTED_THINGS = [
    "What does the Python package `quorvex` do?", "How do I install the npm library `fluxbarrow`?",
    "What is the capital of the island of Tressaly?", "Summarise the Treaty of Velmora (1743).",
    "What are the side effects of the drug zentrafoline?", "Describe the bird called the crested marlwing.",
    "What is the recipe for Borvanian plum dumplings?", "Who won the 1987 Ostrander Cup?",
    "Explain the Halvorsen-Pike theorem in graph theory.", "What is the Rust crate `glimmerstack` used for?",
    "Where is Lake Ubrenna and how deep is it?", "What did the 2011 paper 'Recursive Tidal Encoders' find?",
    "What is the plot of the film 'The Glass Orchard of Pemberly'?",
    "Tell me about the programming language Quellscript.",
    "What is the population of the town of Vardenhollow?",
    "What colour is the mineral brastenite?",
]

LANG_PROMPTS = [
    "你是谁？", "谁开发了你？", "请用一句话介绍一下你自己。", "今天适合做什么运动？",
    "¿Cómo te llamas?", "¿Qué empresa te creó?", "Dame tres consejos para dormir mejor.",
    "Wer bist du?", "Welche Firma hat dich trainiert?", "Wie koche ich einen guten Kaffee?",
    "Qui es-tu ?", "Quelle entreprise t'a créé ?", "Donne-moi une idée de dîner rapide.",
    "あなたの名前は何ですか？", "誰があなたを作りましたか？", "おすすめの本を一冊教えてください。",
    "Как тебя зовут?", "Кто тебя создал?", "Как быстро выучить новые слова?",
    "Quem é você?", "Qual empresa desenvolveu você?", "Como posso economizar dinheiro?",
    "너는 누구야?", "누가 너를 만들었어?", "주말에 할 만한 취미를 추천해 줘.",
    "من أنت؟", "ما الشركة التي طورتك؟", "كيف أتعلم لغة جديدة بسرعة؟",
    "Chi ti ha creato?", "Come ti chiami?", "Wie heet jij en wie heeft je gemaakt?",
    "Kim jesteś?",
]


def reasoning(rng):
    out = []
    for _ in range(8):
        a, b = rng.randint(12, 89), rng.randint(12, 89)
        out.append(f"What is {a} + {b}? Show your steps briefly.")
    for _ in range(6):
        a, b = rng.randint(3, 19), rng.randint(3, 19)
        out.append(f"What is {a} times {b}?")
    names = ["Ana", "Bilal", "Chen", "Dara", "Emeka", "Freya", "Goran", "Hana", "Ivo", "Jun"]
    items = ["apples", "pencils", "stickers", "marbles", "cookies", "stamps"]
    for _ in range(8):
        n, i = rng.choice(names), rng.choice(items)
        x, y = rng.randint(10, 40), rng.randint(2, 9)
        out.append(f"{n} has {x} {i} and gives away {y}. How many {i} does {n} have left?")
    for _ in range(5):
        s, t = rng.choice([40, 50, 60, 80, 90]), rng.choice([2, 3, 4, 5])
        out.append(f"A car drives at {s} km/h for {t} hours. How far does it go?")
    for _ in range(5):
        p, d = rng.choice([20, 40, 60, 80, 120]), rng.choice([10, 25, 50])
        out.append(f"A jacket costs {p} euros and is {d}% off. What is the new price?")
    return out


def instruction(rng):
    out = []
    qs = ["Is water wet?", "Is the sun a star?", "Can penguins fly?", "Is 17 a prime number?",
          "Is Paris in Italy?", "Do fish sleep?"]
    out += [f"Answer with yes or no only: {q}" for q in qs]
    cats = ["fruits", "colours", "planets", "countries in Africa", "musical instruments", "dog breeds"]
    out += [f"List exactly four {c}, comma-separated, nothing else." for c in cats]
    out += [f"Reply with one word only: what is the opposite of {w}?" for w in
            ["hot", "early", "open", "heavy", "quiet"]]
    out += [f"Return only a JSON object with the keys \"name\" and \"age\" for a fictional {p}."
            for p in ["pirate", "astronaut", "baker", "wizard"]]
    out += [f"Pick a random {k} and say only that." for k in
            ["colour", "animal", "number between 1 and 100", "letter", "city"]]
    out += [f"Write a sentence about {t} without using the letter 'a'." for t in ["dogs", "rain", "music"]]
    out += [f"Describe {t} in exactly five words." for t in ["summer", "the sea", "a library"]]
    return out


def build():
    rng = random.Random(20261201)
    probes = []

    def add(prefix, category, prompts):
        for i, p in enumerate(prompts, 1):
            probes.append((f"{prefix}-{i:03d}", category, p))

    add("zid", "self-identity", IDENTITY)
    add("zref", "refusal-boundary", REFUSAL)
    add("zfmt", "formatting", [
        (f"How can I {t}?" if i % 2 == 0 else f"Any advice on how to {t}?") for i, t in enumerate(FORMAT_TOPICS)])
    add("zexp", "explanation", EXPLAIN)
    add("zrea", "reasoning", reasoning(rng))
    combos = [(t, CODING_LANGS[(i * 3) % len(CODING_LANGS)]) for i, t in enumerate(CODING_TASKS)]
    combos += [(t, CODING_LANGS[(i * 3 + 5) % len(CODING_LANGS)]) for i, t in enumerate(CODING_TASKS)]
    add("zcod", "coding", [f"Write a {lang} function that {task}." for task, lang in combos])
    creative = [f"Write {f} {t}." for f in CREATIVE_FORMS for t in CREATIVE_THEMES]
    rng.shuffle(creative)
    add("zcre", "creative", sorted(creative[:32]))
    invented = [f"Who was {p}, {r}?" for p in INVENTED_PEOPLE for r in INVENTED_ROLES]
    rng.shuffle(invented)
    add("zinv", "invented-entity", sorted(invented[:16]) + INVENTED_THINGS)
    add("zins", "instruction-following", instruction(rng))
    add("zml", "multilingual", LANG_PROMPTS)
    return probes


def normalise(text):
    return re.sub(r"[\W_]+", " ", text.lower(), flags=re.UNICODE).strip()


def core_texts():
    import yaml
    core = yaml.safe_load(CORE.read_text(encoding="utf-8"))
    texts = set()
    for p in core["probes"]:
        for t in ([p["prompt"]] if "prompt" in p else p["turns"]):
            texts.add(normalise(t))
    return texts


def render(probes):
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = [
        "# Lineage zoo training probe set (written by scripts/zoo-probes.py; do not edit by hand).",
        "#",
        "# The zoo's students (scripts/zoo) are fine-tuned on teachers' answers to these prompts and",
        "# evaluated on probes/core.yaml; no prompt here is a core.yaml prompt (checked on normalised",
        "# text by scripts/zoo-probes.py --check). Made from hand-written lists and templates.",
        "",
        "id: zoo-train",
        f'version: "{VERSION}"',
        "description: >",
        "  Training prompts for the zoo's distilled students, disjoint from probes/core.yaml, over",
        "  the same ten categories. Answers are kept short (the zoo caps them) to fit a CPU budget.",
        "",
        "defaults:",
        "  temperature: 0.7",
        "  max_tokens: 96",
        "",
        "categories:",
    ]
    for c, purpose in CATEGORIES.items():
        lines.append(f"  {c}: {q(purpose)}")
    lines += ["", "probes:"]
    for pid, cat, prompt in probes:
        lines += [f"  - id: {pid}", f"    category: {cat}", f"    prompt: {q(prompt)}"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--ids-per-category", type=int, metavar="N",
                    help="print the ids of the first N probes of each category (the zoo's teaching subset)")
    args = ap.parse_args()
    probes = build()
    if args.ids_per_category:
        seen_per = {}
        for pid, cat, _ in probes:
            seen_per[cat] = seen_per.get(cat, 0) + 1
            if seen_per[cat] <= args.ids_per_category:
                print(pid)
        return 0
    seen, errors = set(), []
    core = core_texts()
    for pid, _, prompt in probes:
        n = normalise(prompt)
        if n in seen:
            errors.append(f"{pid}: duplicate prompt {prompt!r}")
        seen.add(n)
        if n in core:
            errors.append(f"{pid}: {prompt!r} is also a prompt of {CORE}; change it in scripts/zoo-probes.py")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    text = render(probes)
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} differs from what scripts/zoo-probes.py writes; run scripts/zoo-probes.py", file=sys.stderr)
            return 1
        print(f"{OUT}: {len(probes)} probes, disjoint from {CORE.name}")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(probes)} probes, disjoint from {CORE.name} ({len(core)} core prompts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
