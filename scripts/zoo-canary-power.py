#!/usr/bin/env python3
"""The canary test on the real zoo (issue #16): detection against dose and number of prompts.

    scripts/zoo-canary-power.py [--lineage BIN] [--zoo DIR] [--out results/zoo-canary.md] [--draws 20]

Needs `scripts/zoo canary-doses` (the students' and the base's answers to the taught prompts in
$ZOO/canary/*.jsonl, the key in $ZOO/canary/canary.key). Only the Python standard library; every
figure comes from `lineage canary test --json`.

Protocol, fixed and committed before any student of the series was trained (session 11):
- Key: one key from `lineage canary keygen` ($ZOO/canary/canary.key). The canaried answers: teacher A's
  (Qwen2.5-Coder-0.5B's) answers to the 160 taught prompts (seed 1, temperature 0.7, at most 96 tokens)
  through `lineage canary apply` once; the dose-D training set is the zoo's qwen-D set with each of
  its teacher rows replaced by that prompt's canaried answer (the rest: the base's own answers).
- Positives: students of the canaried answers, the zoo's one recipe (scripts/zoo-train.py, 1 epoch)
  at doses 100, 30 and 10%, and the same recipe for 3 epochs at 100 and 30% (a copier who trains
  longer: memorisation is what a canary needs). Nulls: the base, and the zoo's student of the same
  teacher answers without the canary (qwen-100): it learnt from the same teacher on the same
  prompts, so only the key's choices tell it from the positives.
- Each suspect answers the 160 taught prompts once (seed 2001 per probe, the served parameters),
  as a distiller's model would be asked the questions it was trained on.
- The test as shipped: `lineage canary test` at its defaults (999 random keys, alpha 0.05,
  seed 20240601). Nothing about the test or the recipe is changed after seeing results.
- Every suspect on all 160 prompts; then, per number of prompts n in 40 and 80, `--draws` random
  subsets (seeded, 20261203 + n) and the share called `evidence` (for the nulls, the false-alarm
  rate; draws share one pool of answers, so they are not independent).
- Reported as measured, units and agreement included. The 1-epoch student at full dose of the
  earlier canary stage agreed on 27 of 53 units (results/zoo-served.md), so low power at this size
  is the expected finding; the 3-epoch students say whether longer training changes it.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wilson import wilson  # noqa: E402

SUSPECTS = [
    ("smollm2-135m-student-qwen-canary-100", "positive", "100%", "1"),
    ("smollm2-135m-student-qwen-canary-30", "positive", "30%", "1"),
    ("smollm2-135m-student-qwen-canary-10", "positive", "10%", "1"),
    ("smollm2-135m-student-qwen-canary-100-e3", "positive", "100%", "3"),
    ("smollm2-135m-student-qwen-canary-30-e3", "positive", "30%", "3"),
    ("smollm2-135m-student-qwen-100", "null (same teacher answers, no canary)", "0%", "1"),
    ("smollm2-135m-instruct", "null (the base)", "-", "-"),
]
SIZES = (40, 80)


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 10, 11):
        sys.exit(f"zoo-canary-power: {' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def canary_test(lineage, store, key, suspect):
    out = run([lineage, "canary", "test", "--store", store, "--key-file", key, "--suspect", suspect, "--json", "--exit-zero"])
    return json.loads(out)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_subset(lineage, key, rows, suspect, work):
    """Imports `rows` (one suspect's answers) into a fresh store and runs the canary test on them."""
    fd, store = tempfile.mkstemp(suffix=".sqlite", dir=work)
    os.close(fd)
    os.unlink(store)
    path = os.path.join(work, "subset.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    run([lineage, "import", "--store", store, path])
    result = canary_test(lineage, store, key, suspect)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.unlink(store + suffix)
    return result


def apply_stats(zoo):
    path = os.path.join(zoo, "logs", "canary-apply.log")
    return Path(path).read_text().strip().splitlines()[-1].removeprefix("canary: ") if os.path.exists(path) else "stats not recorded"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cache = os.environ.get("LINEAGE_CACHE", os.path.expanduser("~/.cache/lineage"))
    ap.add_argument("--lineage", default=os.environ.get("LINEAGE", ".build/release/lineage"))
    ap.add_argument("--zoo", default=os.path.join(cache, "zoo"))
    ap.add_argument("--out", default="results/zoo-canary.md")
    ap.add_argument("--draws", type=int, default=20)
    args = ap.parse_args()
    key = os.path.join(args.zoo, "canary", "canary.key")
    if not os.path.exists(key):
        sys.exit(f"zoo-canary-power: {key} is missing: run scripts/zoo canary-doses first")
    rows_full, rows_sizes = [], []
    with tempfile.TemporaryDirectory() as work:
        for name, role, dose, epochs in SUSPECTS:
            path = os.path.join(args.zoo, "canary", f"{name}.jsonl")
            if not os.path.exists(path):
                print(f"zoo-canary-power: {path} missing (not trained yet?); skipped", file=sys.stderr)
                continue
            answers = sorted(read_jsonl(path), key=lambda r: r["probe_id"])
            r = test_subset(args.lineage, key, answers, name, work)
            rows_full.append(f"| {name} | {role} | {dose} | {epochs} | {len(answers)} | {r['units']} | "
                             f"{r['agreements']}/{r['units']} ({r['agreements'] / max(1, r['units']):.2f}) | "
                             f"{r['p_value']:.3g} | {r['verdict']} |")
            cells = []
            for n in SIZES:
                rng = random.Random(20261203 + n)
                found = 0
                for _ in range(args.draws):
                    subset = rng.sample(answers, min(n, len(answers)))
                    found += test_subset(args.lineage, key, subset, name, work)["verdict"] == "evidence"
                low, high = wilson(found, args.draws)
                cells.append(f"{found}/{args.draws} [{low:.2f}, {high:.2f}]")
            rows_sizes.append(f"| {name} | {role} | " + " | ".join(cells) + " |")
            print(f"zoo-canary-power: {name} done", file=sys.stderr)
    lines = ["# The canary test on the zoo's students (issue #16)", "",
             "Written by `scripts/zoo-canary-power.py` (protocol in its header, fixed before the students were trained). "
             "The taught answers of teacher A canaried with one key (`lineage canary apply`; " + apply_stats(args.zoo) + "); "
             "students fine-tuned on the canaried answers at each dose by the zoo's recipe (`scripts/zoo-train.py`, "
             "1 epoch, or the same for 3 epochs); each suspect answers the 160 taught prompts once (the served "
             "parameters); `lineage canary test` at its defaults (999 random keys, alpha 0.05).", "",
             "## Every suspect on the 160 taught prompts", "",
             "| suspect | role | canaried dose | epochs | answers | units | agreements | p | verdict |",
             "|---|---|---|---|---|---|---|---|---|", *rows_full, "",
             f"## Detection against number of prompts ({args.draws} random subsets each; Wilson 95% intervals)", "",
             "| suspect | role | " + " | ".join(f"{n} prompts: evidence" for n in SIZES) + " |",
             "|---|---|" + "---|" * len(SIZES), *rows_sizes, "",
             "Commands: `scripts/zoo setup && scripts/zoo teach && scripts/zoo data && scripts/zoo canary-doses`, then "
             "`LINEAGE=<release binary> scripts/zoo-canary-power.py`.", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"zoo-canary-power: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
