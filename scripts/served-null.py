#!/usr/bin/env python3
"""Issue #16: do the served-sample test and the canary test hold their level on a real model?

The null is made true by construction: a real local model (the teacher) is re-sampled and its
own fresh answers play the suspect. So every study's served answer, fresh answers and suspect
answer are independent draws of one model on one prompt, and a valid test rejects at most a
fraction alpha of the studies, within binomial error.

PROTOCOL (fixed before the first run, session 10; any change after a result is seen is stated
in results/served-null.md with its reason):
  teacher      SmolLM2-135M-Instruct, the Q4_1 GGUF scripts/local-models pins, served by
               llama-server on loopback; temperature 0.7, at most 32 tokens (short answers keep
               the pool affordable on 2 cores; ties between short answers are then common, which
               the test must survive: --allow-identical-answers, mid-ranks).
  prompts      the first 25 probes of each of the 10 categories of probes/zoo-train.yaml (file
               order): 250 prompts, ordered by (position within category, category order), so
               each group of 5 consecutive prompts spans 5 categories; 50 groups.
  pool         `lineage run` with --samples 40 --seed 7001: every (probe, sample) has its own
               seed, so the 10,000 answers are independent draws.
  studies      500. Study i uses prompt group g = i mod 50 and sample block b = i div 50:
               served answer = sample 4b, fresh samples = 4b+1, 4b+2, suspect = 4b+3. No
               answer is in two studies, so the studies are independent given the prompts.
  served-test  `lineage served-test` at its defaults (character 4-gram cosine, exact where
               possible) with --allow-identical-answers; the served answers imported through
               `lineage served import` (one log per study, its own model name), the fresh and
               suspect answers through `lineage import` (--fresh-snapshot names the teacher's GGUF).
  canary       study i: a new key from `lineage canary keygen`; `lineage canary test` at its
               defaults on the study's fresh model (10 answers). A study with no scoreable unit
               is counted apart (it cannot reject).
  amendment    (before any study ran) first fixed at 60 samples and 4 fresh per prompt (15,000
               answers); measured at 3.3 answers/s on both cores that is 75 minutes, so cut to 40
               samples and 2 fresh (10,000 answers, exact p-values over 3^5 = 243 arrangements).
  decision     the level holds at alpha if the rejections (`p <= alpha`) among the 500 studies
               are at most the 97.5% quantile of Binomial(n, alpha) (the smallest k whose CDF
               reaches 0.975): 35 at alpha = 0.05 and 10 at alpha = 0.01 for n = 500 (first written
               here as 34, a slip; the script has always computed the quantile). Reported beside it: the rejection rates at 0.01, 0.05 and 0.10 with
               Wilson intervals, the mean p-value, and the share of p <= t for t = 0.1 .. 0.9.
  amendment 2  (after the first run, whose canary studies scored 2 units on average: too few for
               any p-value <= 0.10, so that check could not fail) a second canary null on long real
               answers, run before any of its results were seen: `canary-real` takes the answers of
               the 46 models of ../shared/data/lineage-dev/arena_hard_v01 (third-party; read, never
               copied into the project), each model's answers in question order cut into blocks of 45
               (11 per model, the last 5 answers left out), the first 500 blocks in (model name,
               block) order as 500 studies, each its own imported model, a new key per study, and
               `lineage canary test` at its defaults; the same decision rule. None of these models
               ever saw a key made here, so the null is true in every study.

    LINEAGE=<binary> scripts/served-null.py collect   # the pool (about 50 minutes on 2 cores)
    LINEAGE=<binary> scripts/served-null.py test      # the 1,000 studies, then the report
    LINEAGE=<binary> scripts/served-null.py canary-real   # amendment 2's 500 studies, then the report
Work folder: ${LINEAGE_CACHE:-~/.cache/lineage}/served-null (resumable: `collect` asks only the
answers the pool lacks). Never run by CI.
"""
import json
import math
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from wilson import wilson

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LINEAGE_CACHE", Path.home() / ".cache" / "lineage"))
WORK = CACHE / "served-null"
LINEAGE = os.environ.get("LINEAGE", str(ROOT / ".build" / "release" / "lineage"))
SERVER = CACHE / "llama-server-0.3.36" / "bin" / "llama-server"
GGUF = CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
NAME = "smollm2-135m-instruct"
SNAPSHOT = f"{NAME}-gguf-{GGUF_SHA256[:12]}"
PORT = int(os.environ.get("SERVED_NULL_PORT", "18391"))
PER_CATEGORY, GROUP, SAMPLES, FRESH, STUDIES = 25, 5, 40, 2, 500
BLOCK = FRESH + 2
MAX_TOKENS, TEMPERATURE, SEED = 32, 0.7, 7001
OUT_MD = ROOT / "results" / "served-null.md"


def log(msg):
    print(f"served-null [{time.strftime('%H:%M:%S')}]: {msg}", file=sys.stderr, flush=True)


def lineage(*args, check=True, capture=True):
    r = subprocess.run([LINEAGE, *map(str, args)], capture_output=capture, text=True)
    if check and r.returncode != 0:
        sys.exit(f"served-null: lineage {' '.join(map(str, args[:3]))} exited {r.returncode}:\n{r.stderr[-2000:]}")
    return r


def prompts():
    data = yaml.safe_load((ROOT / "probes" / "zoo-train.yaml").read_text())
    order = list(data["categories"])
    by_cat = defaultdict(list)
    for p in data["probes"]:
        by_cat[p["category"]].append(p)
    chosen = []
    for pos in range(PER_CATEGORY):
        for c in order:
            chosen.append(by_cat[c][pos])
    return chosen


def collect():
    WORK.mkdir(parents=True, exist_ok=True)
    probes = prompts()
    probe_file = WORK / "null-prompts.yaml"
    data = yaml.safe_load((ROOT / "probes" / "zoo-train.yaml").read_text())
    data["id"], data["description"] = "served-null", "probes/zoo-train.yaml's first 25 prompts of each category (scripts/served-null.py)"
    data["probes"] = probes
    probe_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    import hashlib
    if hashlib.sha256(GGUF.read_bytes()).hexdigest() != GGUF_SHA256:
        sys.exit(f"served-null: {GGUF} is not the pinned SmolLM2 GGUF; run scripts/local-models setup")
    server = subprocess.Popen([str(SERVER), "--model", str(GGUF), "--host", "127.0.0.1", "--port", str(PORT),
                               "--alias", SNAPSHOT, "--ctx-size", "4096", "--parallel", "4", "--threads",
                               str(os.cpu_count() or 2), "--seed", "42", "--no-webui"],
                              stdout=open(WORK / "server.log", "w"), stderr=subprocess.STDOUT)
    try:
        import urllib.request
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=2)
                break
            except Exception:
                time.sleep(0.5)
        t = time.time()
        spec = f"name={NAME},backend=openai,endpoint=http://127.0.0.1:{PORT}/v1,model={SNAPSHOT},concurrency=4,timeout=300"
        log(f"pool: {len(probes)} prompts x {SAMPLES} samples (temperature {TEMPERATURE}, at most {MAX_TOKENS} tokens, seed {SEED})")
        r = subprocess.run([LINEAGE, "run", str(probe_file), "--store", str(WORK / "pool.sqlite"), "--model", spec,
                            "--samples", str(SAMPLES), "--temperature", str(TEMPERATURE), "--max-tokens", str(MAX_TOKENS),
                            "--seed", str(SEED)])
        if r.returncode != 0:
            sys.exit(f"served-null: lineage run exited {r.returncode}; run collect again (it resumes)")
        log(f"pool collected in {time.time() - t:.0f} s")
    finally:
        server.terminate()
        server.wait()
    lineage("export", "--store", WORK / "pool.sqlite", "--model", NAME, "--output", WORK / "pool.jsonl.tmp")
    os.replace(WORK / "pool.jsonl.tmp", WORK / "pool.jsonl")


def binom_quantile(n, p, q):
    acc = 0.0
    for k in range(n + 1):
        acc += math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        if acc >= q:
            return k
    return n


def test(smoke=None):
    """`smoke`: run only that many studies on a copy of the pool as it stands (a check of the plumbing
    while `collect` runs; nothing is written to results/)."""
    if smoke:
        lineage("export", "--store", WORK / "pool.sqlite", "--model", NAME, "--output", WORK / "smoke.jsonl")
    rows = [json.loads(l) for l in open(WORK / ("smoke.jsonl" if smoke else "pool.jsonl"))]
    pool = {(r["probe_id"], r["sample_index"]): r for r in rows}
    ids = [p["id"] for p in prompts()]
    missing = [(i, s) for i in ids for s in range(SAMPLES) if (i, s) not in pool]
    if missing and not smoke:
        sys.exit(f"served-null: the pool lacks {len(missing)} answers (e.g. {missing[0]}); run collect again")
    studies_run = smoke or STUDIES
    store = WORK / ("smoke.sqlite" if smoke else "studies.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    studies = WORK / "studies"
    studies.mkdir(exist_ok=True)
    transcripts = []
    for i in range(studies_run):
        g, b = i % (len(ids) // GROUP), i // (len(ids) // GROUP)
        group = ids[g * GROUP:(g + 1) * GROUP]
        served = []
        for j, pid in enumerate(group):
            r = pool[(pid, BLOCK * b)]
            users = [m["content"] for m in r["messages"] if m["role"] == "user"]
            served.append({"account": f"null-{i:03d}", "time": f"2026-12-02T00:{j // 60:02d}:{j % 60:02d}Z",
                           "prompt": users[0], "response": r["response"], "model_snapshot": SNAPSHOT,
                           "params": r["params"], "request_id": f"{pid}#{r['sample_index']}"})
            for role, samples in (("fresh", range(BLOCK * b + 1, BLOCK * b + 1 + FRESH)), ("suspect", [BLOCK * b + FRESH + 1])):
                for k, s in enumerate(samples):
                    line = dict(pool[(pid, s)])
                    line["model"], line["sample_index"] = f"{role}-{i:03d}", k
                    line.pop("content_hash", None)  # the import hashes the renamed answer itself
                    transcripts.append(line)
        with open(studies / f"served-{i:03d}.jsonl", "w") as f:
            f.writelines(json.dumps(x) + "\n" for x in served)
    with open(WORK / "studies.jsonl", "w") as f:
        f.writelines(json.dumps(x) + "\n" for x in transcripts)
    t = time.time()
    lineage("import", WORK / "studies.jsonl", "--store", store)
    log(f"imported {len(transcripts)} fresh and suspect answers in {time.time() - t:.1f} s")
    served_rows, canary_rows = [], []
    t = time.time()
    for i in range(studies_run):
        lineage("served", "import", studies / f"served-{i:03d}.jsonl", "--store", store, "--model", f"served-{i:03d}")
        # The served prompts' probe ids map the fresh and suspect answers (imported under the pool's ids).
        r = lineage("served-test", "--store", store, "--served", f"served-{i:03d}", "--fresh", f"fresh-{i:03d}",
                    "--suspect", f"suspect-{i:03d}", "--fresh-snapshot", SNAPSHOT, "--allow-identical-answers", "--json", "--exit-zero")
        served_rows.append(json.loads(r.stdout))
        key = studies / f"key-{i:03d}.hex"
        if not key.exists():
            lineage("canary", "keygen", "--output", key)
        r = lineage("canary", "test", "--store", store, "--key-file", key, "--suspect", f"fresh-{i:03d}", "--json", "--exit-zero", check=False)
        canary_rows.append(json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr.strip()[-400:]})
        if (i + 1) % 50 == 0:
            log(f"{i + 1} of {STUDIES} studies ({time.time() - t:.0f} s)")
    if smoke:
        for r, c in zip(served_rows, canary_rows):
            print(r["verdict"], r["p_value_method"], r["probes"], r["samples"], c.get("units"), c.get("error", ""))
        return
    json.dump({"served": served_rows, "canary": canary_rows, "seconds": time.time() - t}, open(WORK / "results.json", "w"))
    saved_report()


LINEAGE_DEV = ROOT.parent / "shared" / "data" / "lineage-dev" / "arena_hard_v01"
REAL_BLOCK, REAL_BLOCKS = 45, 11


def canary_real():
    questions = [json.loads(l) for l in open(LINEAGE_DEV / "question.jsonl") if l.strip()]
    prompt = {q["question_id"]: q["turns"][0]["content"] for q in questions}
    order = [q["question_id"] for q in questions]
    lines, studies = [], []
    for file in sorted((LINEAGE_DEV / "model_answer").glob("*.jsonl")):
        answers = {}
        for l in open(file):
            if l.strip():
                row = json.loads(l)
                answers[row["question_id"]] = row["choices"][0]["turns"][0]["content"]
        answered = [q for q in order if q in answers and answers[q].strip()]
        for b in range(REAL_BLOCKS):
            block = answered[b * REAL_BLOCK:(b + 1) * REAL_BLOCK]
            if len(block) < REAL_BLOCK or len(studies) == STUDIES:
                break
            name = f"{file.stem}@{b:02d}"
            studies.append(name)
            for q in block:
                lines.append({"model": name, "probe_set": "arena_hard_v01", "probe_set_version": "0.1", "probe_id": q,
                              "category": "arena-hard", "messages": [{"role": "user", "content": prompt[q]}],
                              "response": answers[q], "sample_index": 0})
    store = WORK / "canary-real.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    with open(WORK / "canary-real.jsonl", "w") as f:
        f.writelines(json.dumps(x) + "\n" for x in lines)
    lineage("import", WORK / "canary-real.jsonl", "--store", store)
    keys = WORK / "canary-real-keys"
    keys.mkdir(exist_ok=True)
    rows, t = [], time.time()
    for i, name in enumerate(studies):
        key = keys / f"key-{i:03d}.hex"
        if not key.exists():
            lineage("canary", "keygen", "--output", key)
        r = lineage("canary", "test", "--store", store, "--key-file", key, "--suspect", name, "--json", "--exit-zero", check=False)
        row = json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr.strip()[-400:]}
        row["study"] = name
        rows.append(row)
        if (i + 1) % 100 == 0:
            log(f"{i + 1} of {len(studies)} canary studies on real answers ({time.time() - t:.0f} s)")
    json.dump(rows, open(WORK / "canary-real.json", "w"))
    saved_report()


def saved_report():
    saved = json.load(open(WORK / "results.json"))
    report(saved["served"], saved["canary"], saved.get("seconds", 327))


def summary(name, ps, unscored=0):
    n = len(ps)
    lines = []
    for a in (0.01, 0.05, 0.10):
        k = sum(p <= a for p in ps)
        lo, hi = wilson(k, n)
        limit = binom_quantile(n, a, 0.975)
        held = "holds" if k <= limit else "**fails**"
        lines.append(f"| {name} | {a:.2f} | {k}/{n} ({k / n:.3f}) [{lo:.3f}, {hi:.3f}] | {limit} | {held} |")
    return lines


def report(served_rows, canary_rows, seconds):
    sp = [r["p_value"] for r in served_rows]
    cp = [r["p_value"] for r in canary_rows if r.get("units", 0) > 0]
    unscored = len(canary_rows) - len(cp)
    methods = defaultdict(int)
    for r in served_rows:
        methods[r["p_value_method"]] += 1
    ties = sum(1 for r in served_rows for pr in r["prompts"]
               if len(set(pr["served_similarities"] + pr["fresh_similarities"])) < len(pr["served_similarities"] + pr["fresh_similarities"]))
    out = ["# The provider tests' level on a real model (issue #16)", "",
           f"Produced by `scripts/served-null.py` (protocol and decision rule in its header, fixed before the first run). "
           f"Teacher: {NAME} (GGUF SHA-256 {GGUF_SHA256[:16]}...), temperature {TEMPERATURE}, at most {MAX_TOKENS} tokens; "
           f"{STUDIES} independent null studies of {GROUP} prompts each (probes/zoo-train.yaml), one served answer, "
           f"{FRESH} fresh samples and one suspect answer per prompt, all independent draws of the teacher, so the null "
           "is true in every study. No answer is in two studies.", "",
           "| test | alpha | rejections [Wilson 95%] | allowed (97.5% quantile of Binomial(500, alpha)) | level |",
           "|---|---|---|---|---|"]
    out += summary("served-sample", sp)
    out += summary("canary", cp)
    out += ["", f"Served-sample p-values: {dict(methods)}; mean p {sum(sp) / len(sp):.3f}; "
            f"{ties} of {len(served_rows) * GROUP} prompts with tied similarities (mid-ranks).",
            f"Canary: {len(cp)} studies scored (mean p {sum(cp) / max(1, len(cp)):.3f}; mean scored units "
            f"{sum(r['units'] for r in canary_rows if r.get('units', 0) > 0) / max(1, len(cp)):.1f}), "
            f"{unscored} with no scoreable unit.", "",
            "Share of p-values at or below t (a valid test stays at or below t):", "",
            "| t | " + " | ".join(f"{t / 10:.1f}" for t in range(1, 10)) + " |",
            "|---|" + "---|" * 9,
            "| served-sample | " + " | ".join(f"{sum(p <= t / 10 for p in sp) / len(sp):.3f}" for t in range(1, 10)) + " |",
            "| canary | " + " | ".join(f"{sum(p <= t / 10 for p in cp) / max(1, len(cp)):.3f}" for t in range(1, 10)) + " |",
            "", f"Commands: `scripts/local-models setup`, then `LINEAGE=<release binary> scripts/served-null.py collect` "
            f"and `... test` ({seconds:.0f} s for the 1,000 tests here)."]
    real_file = WORK / "canary-real.json"
    if real_file.exists():
        real = json.load(open(real_file))
        rp = [r["p_value"] for r in real if r.get("units", 0) > 0]
        units = sorted(r["units"] for r in real if r.get("units", 0) > 0)
        out += ["", "## The canary test on long real answers (amendment 2)", "",
                f"{len(real)} studies: blocks of {REAL_BLOCK} answers of one model of lineage-dev's arena_hard_v01 (46 real models, "
                "third-party data read in place), each with its own new key; none of these answers ever met a key made here. "
                f"{len(rp)} studies scored (median {units[len(units) // 2] if units else 0} units, range "
                f"{units[0] if units else 0}-{units[-1] if units else 0}; mean p {sum(rp) / max(1, len(rp)):.3f}), "
                f"{len(real) - len(rp)} with no scoreable unit.", "",
                "| test | alpha | rejections [Wilson 95%] | allowed (97.5% quantile of Binomial(n, alpha)) | level |",
                "|---|---|---|---|---|"]
        out += summary("canary, real answers", rp)
        out += ["", "| t | " + " | ".join(f"{t / 10:.1f}" for t in range(1, 10)) + " |", "|---|" + "---|" * 9,
                "| canary, real answers | " + " | ".join(f"{sum(p <= t / 10 for p in rp) / max(1, len(rp)):.3f}" for t in range(1, 10)) + " |",
                "", "Command: `LINEAGE=<binary> scripts/served-null.py canary-real` (needs ../shared/data/lineage-dev)."]
    OUT_MD.write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    if sys.argv[1:2] == ["smoke"]:
        test(smoke=int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    else:
        {"collect": collect, "test": test, "canary-real": canary_real, "report": saved_report}[sys.argv[1]]()
