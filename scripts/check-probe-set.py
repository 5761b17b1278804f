#!/usr/bin/env python3
"""Check Lineage probe-set YAML files against the probe-set format (see probes/README.md).

Usage:
    scripts/check-probe-set.py probes/core.yaml [more.yaml ...]
    scripts/check-probe-set.py --stats probes/core.yaml     # also print probes per category
    scripts/check-probe-set.py --self-test                  # check the checker on broken examples

Checks: required keys, no unknown keys (top level, probe, sampling), id formats, unique probe ids,
unique probe content (system prompt + turns, which is how the store identifies a probe), every
probe's category listed under `categories` with its purpose, exactly one of `prompt`/`turns`,
sampling values in range, and duplicate YAML keys (which a YAML parser would silently drop).

Every problem is printed as `FILE:LINE: [probe ID] problem — fix`, in line order.
Exit codes: 0 = every file valid, 1 = at least one file has errors, 2 = bad usage or unreadable
file. Warnings (an unused category, a one-turn `turns`, repeated tags) do not change the exit code.

Needs only Python 3 and PyYAML (`python3 -m pip install pyyaml`).
"""

import re
import sys

try:
    import yaml
except ImportError:
    sys.stderr.write("check-probe-set: PyYAML is missing; install it with `python3 -m pip install pyyaml`\n")
    sys.exit(2)

SET_ID = re.compile(r"^[a-z0-9._-]+$")
PROBE_ID = re.compile(r"^[A-Za-z0-9._-]+$")
CATEGORY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TOP_LEVEL_KEYS = {"id", "version", "description", "defaults", "categories", "probes"}
REQUIRED_TOP_LEVEL = ("id", "version", "description", "categories", "probes")
PROBE_KEYS = {"id", "category", "prompt", "turns", "system", "sampling", "tags"}
SAMPLING_KEYS = {"temperature", "top_p", "max_tokens", "seed"}


class Problems:
    """Collects errors and warnings for one file, each with the line it points at."""

    def __init__(self, path):
        self.path = path
        self.errors = []
        self.warnings = []

    def _format(self, line, where, message, fix):
        location = f"{self.path}:{line}" if line else self.path
        where = f" [{where}]" if where else ""
        fix = f" — {fix}" if fix else ""
        return (line or 0, f"{location}:{where} {message}{fix}")

    def error(self, line, where, message, fix=None):
        self.errors.append(self._format(line, where, message, fix))

    def warning(self, line, where, message, fix=None):
        self.warnings.append(self._format(line, where, message, fix))

    def sorted_messages(self):
        tagged = [(line, "error", text) for line, text in self.errors]
        tagged += [(line, "warning", text) for line, text in self.warnings]
        return [f"{kind}: {text}" for _, kind, text in sorted(tagged, key=lambda item: item[0])]


def locate(node, path, lines, problems):
    """Walks the composed YAML tree: records the 1-based line of every value by its path
    (e.g. ("probes", 3, "sampling")) and reports duplicate mapping keys, which yaml.safe_load
    would otherwise resolve silently by keeping the last one."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in seen:
                problems.error(key_node.start_mark.line + 1, None,
                               f"duplicate key '{key}' (first on line {seen[key]})",
                               "keep one of them; YAML would silently use the last")
            else:
                seen[key] = key_node.start_mark.line + 1
            locate(value_node, path + (key,), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            locate(item, path + (index,), lines, problems)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def nonempty_string(value):
    return isinstance(value, str) and value.strip() != ""


def check_sampling(sampling, path, lines, where, problems):
    line = lines.get(path)
    if not isinstance(sampling, dict):
        problems.error(line, where, "sampling must be a mapping",
                       "write e.g. `{temperature: 0, max_tokens: 64}`")
        return
    for key in sampling:
        if key not in SAMPLING_KEYS:
            problems.error(lines.get(path + (key,), line), where, f"unknown sampling key '{key}'",
                           f"use only {', '.join(sorted(SAMPLING_KEYS))}")
    checks = {
        "temperature": (lambda v: is_number(v) and 0 <= v <= 2, "a number from 0 to 2"),
        "top_p": (lambda v: is_number(v) and 0 < v <= 1, "a number above 0 and at most 1"),
        "max_tokens": (lambda v: is_integer(v) and v > 0, "a positive integer"),
        "seed": (lambda v: is_integer(v) and v >= 0, "a non-negative integer"),
    }
    for key, (valid, expected) in checks.items():
        if key in sampling and not valid(sampling[key]):
            problems.error(lines.get(path + (key,), line), where,
                           f"sampling.{key} is {sampling[key]!r}", f"make it {expected}")


def check_text(value, path, lines, where, field, problems):
    if not nonempty_string(value):
        problems.error(lines.get(path), where, f"{field} must be a non-empty string",
                       "quote the text if it starts with a special character or contains ': ' or ' #'")
        return False
    return True


def check_probe(index, probe, categories, lines, problems):
    path = ("probes", index)
    line = lines.get(path)
    if not isinstance(probe, dict):
        problems.error(line, f"probe #{index + 1}", "a probe must be a mapping",
                       "start it with `- id: ...`")
        return None
    probe_id = probe.get("id")
    where = f"probe {probe_id}" if isinstance(probe_id, str) else f"probe #{index + 1}"

    for key in probe:
        if key not in PROBE_KEYS:
            problems.error(lines.get(path + (key,), line), where, f"unknown key '{key}'",
                           f"use only {', '.join(sorted(PROBE_KEYS))}")

    if "id" not in probe:
        problems.error(line, where, "missing id", "add `id: category-NNN`")
    elif not isinstance(probe_id, str) or not PROBE_ID.match(probe_id):
        problems.error(lines.get(path + ("id",), line), where, f"id {probe_id!r} is not [A-Za-z0-9._-]+",
                       "use letters, digits, '.', '_' and '-' only, and quote ids that YAML reads as numbers")

    if "category" not in probe:
        problems.error(line, where, "missing category", "add `category:` with a name listed under categories")
    elif not isinstance(probe["category"], str) or probe["category"] not in categories:
        problems.error(lines.get(path + ("category",), line), where,
                       f"category {probe['category']!r} is not listed under categories",
                       "add it to the categories map with its purpose, or fix the spelling")

    has_prompt, has_turns = "prompt" in probe, "turns" in probe
    if has_prompt == has_turns:
        problems.error(line, where, "needs exactly one of `prompt` and `turns`" +
                       (" (both given)" if has_prompt else ""),
                       "use `prompt` for one user turn, `turns` for several")
    user_turns = None
    if has_prompt and not has_turns:
        if check_text(probe["prompt"], path + ("prompt",), lines, where, "prompt", problems):
            user_turns = (probe["prompt"],)
    if has_turns and not has_prompt:
        turns = probe["turns"]
        if not isinstance(turns, list) or not turns:
            problems.error(lines.get(path + ("turns",), line), where, "turns must be a non-empty list of strings",
                           "write one `- \"...\"` line per user turn")
        else:
            valid = [check_text(turn, path + ("turns", i), lines, where, f"turns[{i}]", problems)
                     for i, turn in enumerate(turns)]
            if all(valid):
                user_turns = tuple(turns)
                if len(turns) == 1:
                    problems.warning(lines.get(path + ("turns",), line), where, "turns has a single turn",
                                     "use `prompt` for one user turn")

    system = probe.get("system")
    if "system" in probe and not check_text(system, path + ("system",), lines, where, "system", problems):
        user_turns = None

    if "sampling" in probe:
        check_sampling(probe["sampling"], path + ("sampling",), lines, where, problems)

    if "tags" in probe:
        tags = probe["tags"]
        if not isinstance(tags, list) or not all(nonempty_string(t) for t in tags):
            problems.error(lines.get(path + ("tags",), line), where, "tags must be a list of non-empty strings",
                           "write e.g. `tags: [lists, short]`")
        elif len(set(tags)) != len(tags):
            problems.warning(lines.get(path + ("tags",), line), where, "tags repeat", "list each tag once")

    content = (system, user_turns) if user_turns is not None else None
    return probe_id if isinstance(probe_id, str) else None, content


def check_document(document, lines, problems):
    if not isinstance(document, dict):
        problems.error(1, None, "the file must be a mapping with id, version, description, categories, probes",
                       "see probes/README.md for the format")
        return {}

    for key in document:
        if key not in TOP_LEVEL_KEYS:
            problems.error(lines.get((key,)), None, f"unknown top-level key '{key}'",
                           f"use only {', '.join(sorted(TOP_LEVEL_KEYS))}")
    for key in REQUIRED_TOP_LEVEL:
        if key not in document:
            problems.error(1, None, f"missing top-level key '{key}'", "add it (see probes/README.md)")

    if "id" in document and not (isinstance(document["id"], str) and SET_ID.match(document["id"])):
        problems.error(lines.get(("id",)), None, f"set id {document['id']!r} is not [a-z0-9._-]+",
                       "use lower-case letters, digits, '.', '_' and '-'")
    if "version" in document and not nonempty_string(document["version"]):
        problems.error(lines.get(("version",)), None, f"version {document['version']!r} is not a string",
                       'quote it, e.g. version: "1.0.0"')
    if "description" in document:
        check_text(document["description"], ("description",), lines, None, "description", problems)
    if "defaults" in document:
        check_sampling(document["defaults"], ("defaults",), lines, "defaults", problems)

    categories = document.get("categories")
    if "categories" in document:
        if not isinstance(categories, dict) or not categories:
            problems.error(lines.get(("categories",)), None, "categories must be a non-empty mapping",
                           "write `name: purpose` for every category the probes use")
            categories = {}
        else:
            for name, purpose in categories.items():
                if not isinstance(name, str) or not CATEGORY_NAME.match(name):
                    problems.error(lines.get(("categories", name)), None, f"category name {name!r} is not [a-z0-9-]+",
                                   "use lower-case words joined by '-'")
                check_text(purpose, ("categories", name), lines, f"category {name}", "its purpose", problems)
    else:
        categories = {}

    probes = document.get("probes")
    if "probes" in document and (not isinstance(probes, list) or not probes):
        problems.error(lines.get(("probes",)), None, "probes must be a non-empty list", "add `- id: ...` entries")
        probes = []
    probes = probes or []

    first_line_of_id, first_line_of_content = {}, {}
    counts = {name: 0 for name in categories}
    for index, probe in enumerate(probes):
        result = check_probe(index, probe, categories, lines, problems)
        if result is None:
            continue
        probe_id, content = result
        line = lines.get(("probes", index))
        if probe_id is not None:
            if probe_id in first_line_of_id:
                problems.error(line, f"probe {probe_id}",
                               f"duplicate id (first on line {first_line_of_id[probe_id]})", "give each probe its own id")
            else:
                first_line_of_id[probe_id] = line
        if content is not None:
            if content in first_line_of_content:
                problems.error(line, f"probe {probe_id}",
                               f"same system prompt and turns as the probe on line {first_line_of_content[content]}",
                               "a probe is identified by its content: change the text or drop one")
            else:
                first_line_of_content[content] = line
        category = probe.get("category")
        if isinstance(category, str) and category in counts:
            counts[category] += 1

    for name, count in counts.items():
        if count == 0:
            problems.warning(lines.get(("categories", name)), f"category {name}", "no probe uses this category",
                             "remove it or add probes")
    return counts


def check_source(text, path):
    """Checks one file's text; returns its Problems, the probe count per category and the
    parsed document (None when the YAML does not parse)."""
    problems = Problems(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
        started = f" ({context} on line {context_mark.line + 1})" if context and context_mark else ""
        problems.error(line, None, f"not valid YAML: {getattr(error, 'problem', None) or error}{started}",
                       "quote strings that contain ': ', ' #' or start with a special character, "
                       "and close every quote")
        return problems, {}, None
    if node is None:
        problems.error(1, None, "the file is empty", "see probes/README.md for the format")
        return problems, {}, None
    lines = {}
    locate(node, (), lines, problems)
    counts = check_document(document, lines, problems)
    return problems, counts, document


def check_file(path, show_stats):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        sys.stderr.write(f"{path}: cannot read: {error}\n")
        return 2
    problems, counts, document = check_source(text, path)
    for message in problems.sorted_messages():
        print(message)
    probes = document.get("probes") if isinstance(document, dict) else None
    total = len(probes) if isinstance(probes, list) else 0
    status = "valid" if not problems.errors else f"{len(problems.errors)} error(s)"
    print(f"{path}: {status}; {total} probes in {len(counts)} categories, {len(problems.warnings)} warning(s)")
    if show_stats and counts:
        for name, count in counts.items():
            print(f"  {name:24} {count:4}")
        print_extra_stats(probes)
    return 1 if problems.errors else 0


def print_extra_stats(probes):
    probes = [p for p in probes if isinstance(p, dict)]
    multi_turn = sum(1 for p in probes if isinstance(p.get("turns"), list) and len(p["turns"]) > 1)
    with_system = sum(1 for p in probes if "system" in p)
    with_sampling = sum(1 for p in probes if "sampling" in p)
    print(f"  {'(multi-turn)':24} {multi_turn:4}")
    print(f"  {'(with system prompt)':24} {with_system:4}")
    print(f"  {'(sampling overrides)':24} {with_sampling:4}")
    languages = {}
    for p in probes:
        for tag in p.get("tags") or []:
            if isinstance(tag, str) and tag.startswith("lang-"):
                languages[tag[5:]] = languages.get(tag[5:], 0) + 1
    if languages:
        listed = ", ".join(f"{lang} {n}" for lang, n in sorted(languages.items()))
        print(f"  languages (lang-* tags): {listed}")


SELF_TEST_BASE = """\
id: t
version: "1"
description: d
defaults: {temperature: 0.7, max_tokens: 256}
categories:
  a: purpose of a
probes:
  - id: a-1
    category: a
    prompt: "Hi"
  - id: a-2
    category: a
    system: "Be terse."
    turns: ["One", "Two"]
    sampling: {temperature: 0, top_p: 1, max_tokens: 8, seed: 3}
    tags: [x]
"""

# (what the case breaks, text replaced in SELF_TEST_BASE, replacement, expected "LINE: ...message")
SELF_TEST_CASES = [
    ("unquoted version", 'version: "1"', "version: 1.0", "2: version 1.0 is not a string"),
    ("set id", "id: t\n", "id: T\n", "1: set id 'T'"),
    ("missing top-level key", "description: d\n", "", "1: missing top-level key 'description'"),
    ("unknown top-level key", "description: d\n", "description: d\nauthor: me\n", "4: unknown top-level key 'author'"),
    ("defaults out of range", "temperature: 0.7", "temperature: 2.5", "4: [defaults] sampling.temperature is 2.5"),
    ("unknown sampling key", "seed: 3}", "seed: 3, top_k: 5}", "15: [probe a-2] unknown sampling key 'top_k'"),
    ("boolean seed", "seed: 3}", "seed: yes}", "15: [probe a-2] sampling.seed is True"),
    ("duplicate id", "id: a-2", "id: a-1", "11: [probe a-1] duplicate id (first on line 8)"),
    ("unlisted category", "    category: a\n    system", "    category: b\n    system", "12: [probe a-2] category 'b' is not listed"),
    ("list as category", "    category: a\n    system", "    category: [a]\n    system", "12: [probe a-2] category ['a'] is not listed"),
    ("prompt and turns", 'prompt: "Hi"', 'prompt: "Hi"\n    turns: ["x", "y"]', "8: [probe a-1] needs exactly one of `prompt` and `turns` (both given)"),
    ("neither prompt nor turns", '    prompt: "Hi"\n', "", "8: [probe a-1] needs exactly one of `prompt` and `turns`"),
    ("empty turns", 'turns: ["One", "Two"]', "turns: []", "14: [probe a-2] turns must be a non-empty list"),
    ("non-string prompt", 'prompt: "Hi"', "prompt: yes", "10: [probe a-1] prompt must be a non-empty string"),
    ("unknown probe key", '    prompt: "Hi"\n', '    prompt: "Hi"\n    note: x\n', "11: [probe a-1] unknown key 'note'"),
    ("duplicate YAML key", '    prompt: "Hi"\n', '    prompt: "Hi"\n    category: a\n', "11: duplicate key 'category' (first on line 9)"),
    ("same content", 'system: "Be terse."\n    turns: ["One", "Two"]', 'prompt: "Hi"', "11: [probe a-2] same system prompt and turns as the probe on line 8"),
    ("tags not strings", "tags: [x]", "tags: x", "16: [probe a-2] tags must be a list"),
    ("numeric probe id", "id: a-1", "id: 101", "8: [probe #1] id 101 is not"),
    ("unclosed quote", 'prompt: "Hi"', 'prompt: "Hi', "13: not valid YAML"),
    ("colon in plain string", 'prompt: "Hi"', "prompt: Note: hi", "10: not valid YAML: mapping values are not allowed here"),
]


def self_test():
    """Checks the checker: the base example is valid, and each case breaks it in exactly one
    way that must be reported, with the right line."""
    failures = []
    problems, counts, _ = check_source(SELF_TEST_BASE, "base.yaml")
    if problems.errors or problems.warnings or counts != {"a": 2}:
        failures.append(f"base example: expected valid with 2 probes, got {problems.sorted_messages()} {counts}")
    for name, old, new, expected in SELF_TEST_CASES:
        if old not in SELF_TEST_BASE:
            failures.append(f"{name}: the case's anchor text is not in the base example")
            continue
        problems, _, _ = check_source(SELF_TEST_BASE.replace(old, new, 1), "case.yaml")
        messages = [text for _, text in problems.errors]
        if len(messages) != 1 or f"case.yaml:{expected}" not in messages[0]:
            failures.append(f"{name}: expected one error containing {expected!r}, got {messages}")
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"self-test: {1 + len(SELF_TEST_CASES) - len(failures)} of {1 + len(SELF_TEST_CASES)} passed")
    return 1 if failures else 0


def main(arguments):
    if arguments == ["--self-test"]:
        return self_test()
    show_stats = "--stats" in arguments
    paths = [a for a in arguments if a != "--stats"]
    if not paths or any(a in ("-h", "--help") for a in paths) or any(a.startswith("-") for a in paths):
        sys.stderr.write(__doc__)
        return 0 if any(a in ("-h", "--help") for a in paths) else 2
    return max(check_file(path, show_stats) for path in paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
