#!/usr/bin/env python3
"""The served-sample test on the real zoo (issue #16): power against dose and number of prompts.

    scripts/zoo-served-power.py [--lineage BIN] [--zoo DIR] [--out results/zoo-served.md] [--draws 20]

Needs `scripts/zoo served` (the taught prompts' served answers, fresh teacher samples and every
suspect's answers in $ZOO/served.sqlite). Only the Python standard library; every figure comes from
`lineage served-test --json`.

Protocol, fixed before the first run (commit 64d4cc5 + this file):
- Served: Qwen2.5-Coder-0.5B's answers to the 160 taught prompts (seed 1, temperature 0.7, at most
  96 tokens) -- exactly what every zoo student saw in training, at its dose. Fresh: ZOO_FRESH (4)
  answers of the same GGUF per prompt (seeds 1001...). Suspects: each zoo student and the base, one
  answer per prompt (seed 2001, the served parameters).
- Positives: the students trained on Qwen's served answers: qwen-100 (every taught prompt),
  qwen-30 and qwen-10 (30% and 10% of them; the rest their own answers), qwen-scrubbed (every
  prompt, Qwen's name scrubbed). Nulls: the base, the self-distilled student and the round trip,
  none of which saw a served answer: the served answer's rank is uniform for them by construction.
- The test as shipped: default similarity (character 4-grams), alpha 0.05, 9,999 permutations,
  exact where possible, seed 20240601. Nothing about the test is changed after seeing the results.
- Every suspect on all 160 prompts; then, per number of prompts n in 20, 40, 80, 160, `--draws`
  random subsets (seeded, 20261202 + n) and the share called `evidence` (a power curve; for the nulls,
  the false-alarm rate, whose draws share one pool of answers and so are not independent).
- Amendment before any result was seen (the first call was refused): on 2 of the 160 prompts a fresh
  answer is word for word the served one ("cold"; "Mercury, Venus, Earth, Mars."), genuine short answers
  drawn with other seeds (1 against 1001-1004). The test refuses that by default, so every call passes
  --allow-identical-answers, as its fix says for such answers: ties then cost power, not validity.
- Canaries (added before the canary student existed; after `scripts/zoo canary`): the taught answers
  canaried with one key ($ZOO/canary/canary.key) and a student trained on them by the same recipe
  (smollm2-135m-student-qwen-canary-100). `lineage canary test` at its defaults on each suspect's
  answers to the taught prompts: positive, the canary student; nulls, the student of the same answers
  without the canary (qwen-100), the teacher's fresh answers (qwen-fresh, never canaried) and the base.
  Reported as measured, units and agreement included; no setting is chosen after seeing them.
- Amendment 2, after the first run of the served-sample part (on served.sqlite) and before any data of
  version 2 existed: every suspect, the nulls included, scored p = 0.94-0.999 [corrected after: the
  nulls 0.956-0.999, three of the four students 0.938-0.987, the scrubbed one 0.494], and each answer column
  (the served one, seed 1 on every prompt; fresh sample j, seed 1001+j on every prompt) had its own
  mean rank across prompts (0.37-0.42 for the served column, 0.58-0.60 for seeds 1003-1004, the same
  for all four suspects looked at). One seed per column made the prompts' ranks dependent, so the
  permutation p-value was not exact; `lineage served-test` now refuses such data, and `lineage run`
  gives each probe and sample its own seed. The served-sample part is therefore measured on
  `scripts/zoo served-v2` (served2.sqlite): new served answers (seed 3001 per probe), a student
  trained on them by the same recipe (smollm2-135m-student-qwen-served, the positive), fresh samples
  (seed 4001 per probe and sample) and the suspects (seed 5001 per probe). Nulls: the base, the
  self-distilled student, the round trip, and smollm2-135m-student-qwen-100, which learnt from other
  samples of Qwen on the same prompts (the version-1 answers): the null the test is designed for. The
  same sizes, draws and seeds as above. Version 1's p-values are reported as the finding that led here.
- Amendment 3, after version 2's results and before these students existed: the dose series on
  version 2 (`scripts/zoo served-v2-doses`): students trained on the served answers of 30% and 10%
  of the taught prompts (their own answers on the rest), as positives, tested on all 160 prompts and
  the same subsets. Nothing else changes.
- Changed after amendment 3's results, and stated as such: the 10% student, which learnt from the
  served answers, was called no-evidence (mean rank excess -0.010 [-0.059, 0.042], under the 0.05 that
  mattered). The excess is a mean over all served prompts, so a dose d shows about d times the full
  effect (0.060 here); `served-test`'s default effect that matters is now 0.005 (a 10% student of the
  full-dose strength), so 160 prompts can no longer say no-evidence. This changes no p-value and no
  `evidence`; it only turns no-evidence into inconclusive. The tables show the verdicts after it.
"""
import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from wilson import wilson

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = "served:qwen2.5-coder-0.5b-instruct-gguf-1d9614638d18"
SUSPECTS = [  # name, role, what it learnt from (version 2: served2.sqlite)
    ("smollm2-135m-student-qwen-served", "positive", "Qwen's served answers to every taught prompt"),
    ("smollm2-135m-student-qwen-served-30", "positive", "Qwen's served answers on 30% of the prompts, its own on the rest"),
    ("smollm2-135m-student-qwen-served-10", "positive", "Qwen's served answers on 10% of the prompts, its own on the rest"),
    ("smollm2-135m-student-qwen-100", "null (sibling)", "other samples of Qwen on the same prompts (not the served ones)"),
    ("smollm2-135m-student-self", "null", "its own answers to the same prompts"),
    ("smollm2-135m-roundtrip", "null", "nothing (the base, converted like every student)"),
    ("smollm2-135m-instruct", "null", "nothing (the base model itself)"),
]
# Version 1 (served.sqlite, one seed per column), measured by the binary before the seed check.
VERSION1 = [("smollm2-135m-student-qwen-100", "positive", 0.956), ("smollm2-135m-student-qwen-30", "positive", 0.938),
            ("smollm2-135m-student-qwen-10", "positive", 0.987), ("smollm2-135m-student-qwen-scrubbed", "positive", 0.494),
            ("smollm2-135m-student-self", "null", 0.999), ("smollm2-135m-roundtrip", "null", 0.991),
            ("smollm2-135m-instruct", "null", 0.956)]
SIZES = (20, 40, 80, 160)
CANARY_SUSPECTS = [
    ("smollm2-135m-student-qwen-canary-100", "positive"),
    ("smollm2-135m-student-qwen-100", "null"),
    ("qwen-fresh", "null"),
    ("smollm2-135m-instruct", "null"),
]


def canary_apply_stats(zoo):
    path = os.path.join(zoo, "logs", "canary-apply.log")
    return Path(path).read_text().strip().splitlines()[-1].removeprefix("canary: ") if os.path.exists(path) else "stats not recorded"


def served_v1_refusal(lineage, store):
    if not os.path.exists(store):
        return "store not present"
    cmd = [lineage, "served-test", "--store", store, "--served", SNAPSHOT, "--fresh", "qwen-fresh",
           "--suspect", "smollm2-135m-instruct", "--json", "--exit-zero", "--quiet", "--allow-identical-answers"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    first = (out.stderr.strip().splitlines() or ["no message"])[0]
    return f"exit {out.returncode}: `{first[:300]}`"


def canary_test(lineage, store, key, suspect):
    cmd = [lineage, "canary", "test", "--store", store, "--key-file", key, "--suspect", suspect, "--json", "--exit-zero"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"zoo-served-power: {' '.join(cmd)} exited {out.returncode}:\n{out.stderr}")
    return json.loads(out.stdout)


def served_test(lineage, store, suspect, probes=None):
    cmd = [lineage, "served-test", "--store", store, "--served", SNAPSHOT, "--fresh", "qwen-fresh",
           "--suspect", suspect, "--json", "--exit-zero", "--quiet", "--allow-identical-answers"]
    for p in probes or []:
        cmd += ["--probe", p]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"zoo-served-power: {' '.join(cmd[:12])} ... exited {out.returncode}:\n{out.stderr}")
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lineage", default=os.environ.get("LINEAGE", str(ROOT / ".build/release/lineage")))
    ap.add_argument("--zoo", default=os.path.join(os.environ.get("LINEAGE_CACHE", os.path.expanduser("~/.cache/lineage")), "zoo"))
    ap.add_argument("--out", default=str(ROOT / "results/zoo-served.md"))
    ap.add_argument("--draws", type=int, default=20)
    args = ap.parse_args()
    store = os.path.join(args.zoo, "served2.sqlite")
    if not os.path.exists(store):
        sys.exit(f"zoo-served-power: {store} is missing: run scripts/zoo served-v2 first")
    store_v1 = os.path.join(args.zoo, "served.sqlite")

    rows, curves = [], {}
    for name, role, learnt in SUSPECTS:
        full = served_test(args.lineage, store, name)
        ids = sorted(p["probe_id"] for p in full["prompts"])
        rows.append((name, role, learnt, full))
        for n in SIZES:
            rng = random.Random(20261202 + n)
            draws = 1 if n >= len(ids) else args.draws
            hits = 0
            for _ in range(draws):
                subset = ids if n >= len(ids) else rng.sample(ids, n)
                r = full if n >= len(ids) else served_test(args.lineage, store, name, subset)
                hits += r["verdict"] == "evidence"
            curves[(name, n)] = (hits, draws)
        print(f"{name}: p = {full['p_value']:.3g}, {full['verdict']}", file=sys.stderr)

    lines = ["# The served-sample test on the real zoo", "",
             "Issue #16. Produced by `scripts/zoo-served-power.py` after `scripts/zoo served-v2` (protocol in the script's "
             "header, fixed before the first run, with two amendments stated there). Served: the answers Qwen2.5-Coder-0.5B gave "
             "to the 160 taught prompts of `probes/zoo-train.yaml` (temperature 0.7, at most 96 tokens, one seed per prompt), "
             "and a SmolLM2-135M student fine-tuned on exactly those answers (the zoo's recipe); fresh: "
             f"{rows[0][3]['samples'].get('qwen-fresh', 0) // max(1, rows[0][3]['probes'])} "
             "answers of the same GGUF per prompt (a seed per prompt and sample); each suspect answered each prompt once. "
             "`lineage served-test` at its defaults (character 4-gram cosine, α = 0.05, 9,999 permutations, exact where "
             "possible).", "",
             "| suspect | truth | learnt from | prompts | served answer closest | mean rank excess [95% CI] | p | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for name, role, learnt, r in rows:
        e = r["test"]["effect"]
        lines.append(f"| {name} | {role} | {learnt} | {r['probes']} | {r['served_most_similar']} | "
                     f"{e['estimate']:.3f} [{e['ci_low']:.3f}, {e['ci_high']:.3f}] | {r['p_value']:.3g} | {r['verdict']} |")
    lines += ["", f"Detection (`evidence`) by number of prompts: {args.draws} random subsets per size (seeded), "
              "the whole set once; Wilson 95% intervals. For the nulls this is the false-alarm rate (α = 0.05); "
              "the subsets share one pool of answers, so they are not independent studies.", "",
              "| suspect | truth | " + " | ".join(f"{n} prompts" for n in SIZES) + " |",
              "|---|---|" + "---|" * len(SIZES)]
    for name, role, _, _ in rows:
        cells = []
        for n in SIZES:
            k, d = curves[(name, n)]
            lo, hi = wilson(k, d, z=1.96)
            cells.append(f"{k}/{d} [{lo:.2f}, {hi:.2f}]" if d > 1 else f"{k}/{d}")
        lines.append(f"| {name} | {role} | " + " | ".join(cells) + " |")
    lines += ["", "## Version 1: one seed per column (invalid; refused now)", "",
              "The first data (`scripts/zoo served`, served.sqlite) drew every served answer with seed 1 and fresh sample j "
              "with seed 1001+j on every prompt. Every null suspect and three of the four students scored near 1, and each column had its own "
              "mean rank over the prompts: one seed is one random stream, so the prompts' ranks were dependent and the "
              "permutation p-value was not exact. `lineage served-test` now refuses such data "
              f"({served_v1_refusal(args.lineage, store_v1)}), and `lineage run` gives each probe and sample its own seed.", "",
              "| suspect | truth | p (before the check) |", "|---|---|---|"]
    lines += [f"| {n} | {r} | {p} |" for n, r, p in VERSION1]
    key = os.path.join(args.zoo, "canary", "canary.key")
    if os.path.exists(key):
        lines += ["", "## Canaries", "",
                  "The taught answers canaried with one key (`lineage canary apply`; "
                  + canary_apply_stats(args.zoo) + "), a student fine-tuned on them by the same recipe, "
                  "and `lineage canary test` at its defaults on each suspect's answers to the taught prompts "
                  "(one each, the served parameters).", "",
                  "| suspect | truth | scored units | agreement | p | verdict |", "|---|---|---|---|---|---|"]
        for name, role in CANARY_SUSPECTS:
            r = canary_test(args.lineage, store_v1, key, name)
            units, agreements = r.get("units", 0), r.get("agreements", 0)
            share = f"{agreements}/{units} ({agreements / units:.2f})" if units else "0/0"
            lines.append(f"| {name} | {role} | {units} | {share} | {r['p_value']:.3g} | {r['verdict']} |")
    else:
        lines += ["", "Canaries: not measured (run `scripts/zoo canary` first)."]
    lines += ["", "Commands: `scripts/zoo served && scripts/zoo served-v2 && scripts/zoo canary && LINEAGE=<release binary> scripts/zoo-served-power.py` (about 30 minutes of both cores for `served-v2`, 3 for `canary`; the power script 26 s).", ""]
    tmp = args.out + ".tmp"
    Path(tmp).write_text("\n".join(lines))
    os.replace(tmp, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
