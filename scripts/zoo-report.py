#!/usr/bin/env python3
"""Measures Lineage on the zoo's shipped sample (samples/zoo.jsonl): the figures of results/zoo.md.

    LINEAGE=path/to/lineage scripts/zoo-report.py [--out DIR] [--draws 5] [--skip-subsets]

Imports samples/zoo.jsonl and samples/zoo-labels.jsonl into a fresh store under DIR (default
/tmp/zoo-report), then runs, for every student, `lineage attribute` under three panels and
`lineage equality` against the teacher and the base, and the probe-count curve (random subsets of
the core probes, the same subset for every model, imported into their own stores). Prints every
command with its verdict, p-value and effect, and writes DIR/results.json. No training, no server.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QWEN = "qwen2.5-coder-0.5b-instruct"
BASE = "smollm2-135m-instruct"
RT = "smollm2-135m-roundtrip"
SELF = "smollm2-135m-student-self"
STUDENTS = ["smollm2-135m-student-qwen-100", "smollm2-135m-student-qwen-30", "smollm2-135m-student-qwen-10",
            "smollm2-135m-student-qwen-scrubbed", SELF, RT]


def lineage():
    b = os.environ.get("LINEAGE") or str(ROOT / ".build" / "release" / "lineage")
    if not os.access(b, os.X_OK):
        sys.exit(f"zoo-report: no lineage binary at {b}: set LINEAGE=/path/to/lineage")
    return b


def run(cmd, store):
    full = cmd + ["--store", str(store), "--json"]
    t = time.time()
    p = subprocess.run(full, capture_output=True, text=True)
    secs = time.time() - t
    if p.returncode not in (0, 10, 11):
        return {"command": " ".join(cmd), "error": p.stderr.strip()[-400:], "exit": p.returncode}
    d = json.loads(p.stdout)
    return {"command": " ".join(cmd), "exit": p.returncode, "seconds": round(secs, 1), "json": d}


def summary(r):
    if "error" in r:
        return f"error (exit {r['exit']}): {r['error']}"
    d = r["json"]
    eff = d.get("effect")
    if isinstance(eff, dict):
        est = eff.get("estimate", eff.get("value"))
        lo, hi = eff.get("ci_low", eff.get("lower")), eff.get("ci_high", eff.get("upper"))
        eff_s = f"effect {est:.3f} [{lo:.3f}, {hi:.3f}]" if isinstance(est, (int, float)) and lo is not None else f"effect {json.dumps(eff)[:160]}"
    elif isinstance(eff, (int, float)):
        eff_s = f"effect {eff:.3f}"
    else:
        eff_s = ""
    v = d.get("verdict")
    v = v.get("name", v.get("verdict", v)) if isinstance(v, dict) else v
    return f"{v}, p = {d.get('p_value')}, {eff_s}, probes {d.get('probes', '')}"


def fresh_store(path, files, labels=True):
    if path.exists():
        path.unlink()
    for f in files:
        subprocess.run([lineage(), "import", str(f), "--store", str(path)], check=True, capture_output=True)
    if labels:
        subprocess.run([lineage(), "models", "annotate", "--labels", str(ROOT / "samples" / "zoo-labels.jsonl"),
                        "--store", str(path)], check=True, capture_output=True)


def panels(s, present):
    ctl = [m for m in (BASE, RT, SELF) if m != s and m in present]
    out = {
        "reference-centric": ["attribute", "--suspect", s, "--reference", QWEN, "--reference-centric"]
                             + sum((["--control", c] for c in ctl), []),
        "diff-in-diff (alternative: base)": ["attribute", "--suspect", s, "--reference", QWEN,
                                             "--alternative-reference", BASE]
                                            + sum((["--control", c] for c in ctl if c != BASE), [])
                                            + (["--minimum-controls", "1"] if len([c for c in ctl if c != BASE]) < 2 else []),
        "auto (annotated store)": ["attribute", "--suspect", s, "--reference", QWEN],
    }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/zoo-report")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--skip-subsets", action="store_true")
    ap.add_argument("--sample", default=str(ROOT / "samples" / "zoo.jsonl"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(l) for l in open(args.sample, encoding="utf-8")]
    present = sorted({r["model"] for r in rows})
    # Named panels run on a store without annotations (on an annotated one Lineage adds the roles
    # left out, e.g. an alternative reference, from the annotations); the auto panel on an annotated one.
    store = out / "zoo.sqlite"
    fresh_store(store, [args.sample], labels=False)
    annotated = out / "zoo-annotated.sqlite"
    fresh_store(annotated, [args.sample])
    results = {"attribute": [], "equality": [], "subsets": []}
    bin_ = lineage()
    for s in [m for m in STUDENTS if m in present]:
        for name, cmd in panels(s, present).items():
            r = run([bin_] + cmd, annotated if name.startswith("auto") else store)
            r.update(suspect=s, panel=name)
            results["attribute"].append(r)
            print(f"[attribute] {s} / {name}: {summary(r)}\n    lineage {' '.join(cmd)}", flush=True)
        for other in [QWEN, BASE] + ([RT] if s != RT else []) + ([SELF] if s not in (SELF, RT) else []):
            cmd = ["equality", s, other]
            r = run([bin_] + cmd, store)
            r.update(a=s, b=other)
            results["equality"].append(r)
            print(f"[equality] {s} vs {other}: {summary(r)}\n    lineage {' '.join(cmd)}", flush=True)
    # One sample per probe for every model (sample 0 only), against the full sample.
    one = out / "one-sample.jsonl"
    with open(one, "w", encoding="utf-8") as f:
        for r in rows:
            if r.get("sample_index", 0) == 0:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    st = out / "one-sample.sqlite"
    fresh_store(st, [one], labels=False)
    results["one_sample"] = []
    for s in [m for m in STUDENTS if m in present]:
        cmd = panels(s, present)["reference-centric"]
        r = run([bin_] + cmd, st)
        r.update(suspect=s)
        results["one_sample"].append(r)
        print(f"[one sample per probe] {s}: {summary(r)}", flush=True)
    if not args.skip_subsets:
        probes = sorted({r["probe_id"] for r in rows})
        for k in (25, 50, 100, 150, 200):
            for draw in range(args.draws):
                pick = set(random.Random(1000 * k + draw).sample(probes, k))
                sub = out / f"subset-{k}-{draw}.jsonl"
                with open(sub, "w", encoding="utf-8") as f:
                    for r in rows:
                        if r["probe_id"] in pick:
                            f.write(json.dumps(r, ensure_ascii=False) + "\n")
                st = out / f"subset-{k}-{draw}.sqlite"
                fresh_store(st, [sub], labels=False)
                for s in [m for m in STUDENTS if m in present and m != RT]:
                    cmd = panels(s, present)["reference-centric"]
                    r = run([bin_] + cmd, st)
                    r.update(suspect=s, probes_drawn=k, draw=draw)
                    r.pop("json", None) if "error" in r else None
                    results["subsets"].append({k2: v for k2, v in r.items() if k2 != "json"} |
                                              ({"verdict": r["json"]["verdict"], "p_value": r["json"]["p_value"]}
                                               if "json" in r else {}))
                    print(f"[subset k={k} draw={draw}] {s}: {summary(r)}", flush=True)
                st.unlink()
                sub.unlink()
    with open(out / "results.json", "w") as f:
        json.dump(results, f, indent=1)
    with open(out / "tables.md", "w") as f:
        f.write(markdown(results))
    print(f"wrote {out / 'results.json'} and {out / 'tables.md'}")


def cell(r):
    if "error" in r:
        return "error: " + r["error"].splitlines()[0][:90].replace("|", "/")
    d = r["json"]
    e = d.get("effect") or {}
    eff = (f"{e['estimate']:.3f} [{e['ci_low']:.3f}, {e['ci_high']:.3f}]"
           if isinstance(e, dict) and "estimate" in e else "")
    p = d.get("p_value")
    return f"{d.get('verdict')} | {p:.2g} | {eff}" if isinstance(p, (int, float)) else f"{d.get('verdict')} | | {eff}"


def markdown(results):
    lines = ["| suspect | panel | verdict | p | effect [95% CI] |", "|---|---|---|---|---|"]
    for r in results["attribute"]:
        lines.append(f"| `{r['suspect']}` | {r['panel']} | {cell(r)} |")
    lines += ["", "| A | B | verdict | p | MMD statistic |", "|---|---|---|---|---|"]
    for r in results["equality"]:
        if "error" in r:
            lines.append(f"| `{r['a']}` | `{r['b']}` | {cell(r)} | | |")
        else:
            d = r["json"]
            t = d.get("test", {})
            null = t.get("null_distribution") or [0]
            lines.append(f"| `{r['a']}` | `{r['b']}` | {d.get('verdict')} | {d.get('p_value')} | "
                         f"{t.get('statistic', 0):.4f} (largest of {len(null)} permutations: {max(null):.4f}) |")
    if results.get("one_sample"):
        lines += ["", "| suspect (sample 0 only, every model) | verdict | p | effect [95% CI] |", "|---|---|---|---|"]
        for r in results["one_sample"]:
            lines.append(f"| `{r['suspect']}` | {cell(r)} |")
    if results.get("subsets"):
        agg = defaultdict(lambda: defaultdict(list))
        for r in results["subsets"]:
            agg[r["suspect"]][r["probes_drawn"]].append(r.get("verdict", "error"))
        ks = sorted({r["probes_drawn"] for r in results["subsets"]})
        lines += ["", "| suspect | " + " | ".join(f"{k} probes" for k in ks) + " |", "|---|" + "---|" * len(ks)]
        for sus, byk in agg.items():
            lines.append(f"| `{sus}` | " + " | ".join(
                f"{sum(v == 'evidence' for v in byk[k])}/{len(byk[k])}" for k in ks) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
