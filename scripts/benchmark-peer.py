#!/usr/bin/env python3
"""The Python peer of Lineage's benchmarks: the same attribution work done with the tools a
researcher would reach for (scikit-learn's TF-IDF vectorisers, cosine similarity with numpy,
a sign-flip permutation test and a bootstrap as numpy matrix products), on the same data.

Input: Lineage JSONL (what `lineage export` writes). Output: one JSON object with the time of
each stage, so scripts/benchmark can put the two side by side.

    python3 scripts/benchmark-peer.py --corpus all.jsonl --suspect S --reference R \
        --alternative-reference R2 --control C1 --control C2 [--replicates 10000] [--seed 1]
"""
import argparse
import json
import sys
import time
from collections import defaultdict

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--suspect")
    parser.add_argument("--reference")
    parser.add_argument("--alternative-reference")
    parser.add_argument("--control", action="append")
    parser.add_argument("--pairs", help="a CSV of studies (suspect,references,alternatives,controls; lists separated by ';'): "
                                        "featurise once, then run every study (the many-studies workload)")
    parser.add_argument("--bootstrap", type=int, default=None, help="bootstrap replicates (default: --replicates)")
    parser.add_argument("--replicates", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.pairs:
        return many_studies(args)
    if not (args.suspect and args.reference and args.alternative_reference and args.control):
        parser.error("name --suspect, --reference, --alternative-reference and --control, or --pairs FILE")
    timings = {}

    start = time.perf_counter()
    records = []
    with open(args.corpus, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                text = "\n".join(m["content"] for m in row["messages"] if m["role"] == "assistant")
                records.append((row["model"], row["probe_id"], (text + "\n" + row["response"]).strip()))
    timings["load_s"] = time.perf_counter() - start
    texts = [r[2] for r in records]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    # Featurisation: word uni- and bi-grams and character 3- to 5-grams, TF-IDF, each block
    # L2-normalised, then the blocks side by side (all responses of all models, as Lineage does).
    start = time.perf_counter()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1).fit_transform(texts)
    features = normalize(sparse.hstack([normalize(words), normalize(chars)]).tocsr())
    timings["featurise_s"] = time.perf_counter() - start

    # Per (model, probe) mean fingerprint, then every model's similarity to every other, per probe.
    start = time.perf_counter()
    index = defaultdict(list)
    for row, (model, probe, _) in enumerate(records):
        index[(model, probe)].append(row)
    named = [args.suspect, args.reference, args.alternative_reference] + args.control
    probes = sorted(set.intersection(*[{p for (m, p) in index if m == name} for name in named]))
    per_model = {}
    for name in named:
        rows = sparse.vstack([sparse.csr_matrix(features[index[(name, p)]].mean(axis=0)) for p in probes])
        per_model[name] = normalize(rows)
    def per_probe_similarity(a, b):
        return np.asarray(per_model[a].multiply(per_model[b]).sum(axis=1)).ravel()
    # All-pairs model similarity (the heatmap): mean fingerprints of every model in the corpus.
    models = sorted({m for (m, _) in index})
    means = normalize(sparse.vstack([sparse.csr_matrix(features[[r for (m, p), rs in index.items() if m == name for r in rs]].mean(axis=0)) for name in models]))
    similarity = (means @ means.T).toarray()
    timings["similarity_s"] = time.perf_counter() - start

    # Difference in differences per probe: the suspect's lean toward R (against R2) minus each control's.
    start = time.perf_counter()
    def lean(x):
        return per_probe_similarity(x, args.reference) - per_probe_similarity(x, args.alternative_reference)
    suspect_lean = lean(args.suspect)
    rng = np.random.default_rng(args.seed)
    results = {}
    for control in args.control:
        effects = suspect_lean - lean(control)
        observed = effects.mean()
        signs = rng.choice(np.array([-1.0, 1.0]), size=(args.replicates, len(effects)))
        null = signs @ effects / len(effects)
        p_value = (1 + np.sum(null >= observed)) / (1 + args.replicates)
        weights = rng.multinomial(len(effects), np.full(len(effects), 1 / len(effects)), size=args.replicates)
        boot = weights @ effects / len(effects)
        low, high = np.percentile(boot, [2.5, 97.5])
        results[control] = {"effect": float(observed), "p_value": float(p_value), "ci": [float(low), float(high)]}
    timings["tests_s"] = time.perf_counter() - start

    print(json.dumps({
        "peer": "python " + sys.version.split()[0] + ", numpy " + np.__version__,
        "responses": len(records), "megabytes": megabytes, "probes": len(probes), "models": len(models),
        "features": int(features.shape[1]), "replicates": args.replicates,
        "timings": timings, "total_s": sum(timings.values()),
        "p_value": max(r["p_value"] for r in results.values()), "per_control": results,
        "similarity_checksum": float(similarity.sum()),
    }, indent=1))
    return 0


def many_studies(args) -> int:
    """Featurises every response once, then per study: per-probe mean fingerprints, the
    difference-in-differences effects against each control, a sign-flip test and a bootstrap
    interval per control, intersection-union over controls (the same work as one view of Lineage's
    primary test)."""
    timings = {}
    start = time.perf_counter()
    records = []
    with open(args.corpus, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                records.append((row["model"], row["probe_id"], row["response"]))
    studies = []
    with open(args.pairs, encoding="utf-8") as handle:
        header = handle.readline()
        for line in handle:
            fields = line.rstrip("\n").split(",")
            if len(fields) >= 4 and fields[0]:
                studies.append((fields[0], fields[1].split(";")[0], fields[2].split(";")[0], fields[3].split(";")))
    timings["load_s"] = time.perf_counter() - start
    texts = [r[2] for r in records]
    start = time.perf_counter()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1).fit_transform(texts)
    features = normalize(sparse.hstack([normalize(words), normalize(chars)]).tocsr())
    timings["featurise_s"] = time.perf_counter() - start
    start = time.perf_counter()
    index = defaultdict(list)
    for row, (model, probe, _) in enumerate(records):
        index[(model, probe)].append(row)
    probes_of = defaultdict(set)
    for (model, probe) in index:
        probes_of[model].add(probe)
    # Every (model, probe) mean fingerprint at once: one sparse product of an averaging matrix with the
    # features, rows L2-normalised (what a numpy user would write; a loop of per-pair means is ~100x slower).
    keys = sorted(index)
    row_of = {key: i for i, key in enumerate(keys)}
    weights_rows, weights_cols, weights_data = [], [], []
    for i, key in enumerate(keys):
        for r in index[key]:
            weights_rows.append(i)
            weights_cols.append(r)
            weights_data.append(1 / len(index[key]))
    averaging = sparse.csr_matrix((weights_data, (weights_rows, weights_cols)), shape=(len(keys), features.shape[0]))
    means = normalize(averaging @ features).tocsr()
    timings["fingerprints_s"] = time.perf_counter() - start
    start = time.perf_counter()
    # Every model's cosine to every other on every probe, once (one small sparse product per probe),
    # as Lineage's batch computes its shared similarities once; a study then only indexes them.
    models = sorted(probes_of)
    model_index = {m: i for i, m in enumerate(models)}
    all_probes = sorted({p for (_, p) in index})
    probe_index = {p: i for i, p in enumerate(all_probes)}
    cosines = np.full((len(all_probes), len(models), len(models)), np.nan)
    for pi, probe in enumerate(all_probes):
        present = [m for m in models if (m, probe) in row_of]
        rows = means[[row_of[(m, probe)] for m in present]]
        block = (rows @ rows.T).toarray()
        at = [model_index[m] for m in present]
        cosines[pi][np.ix_(at, at)] = block
    timings["similarities_s"] = time.perf_counter() - start
    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    bootstrap = args.bootstrap or args.replicates
    p_values = []
    for suspect, reference, alternative, controls in studies:
        named = [suspect, reference, alternative] + controls
        probes = [probe_index[p] for p in sorted(set.intersection(*[probes_of[n] for n in named]))]
        c = cosines[probes]
        def lean(x):
            return c[:, model_index[x], model_index[reference]] - c[:, model_index[x], model_index[alternative]]
        suspect_lean = lean(suspect)
        effects = np.stack([suspect_lean - lean(k) for k in controls], axis=1)
        n = effects.shape[0]
        signs = rng.choice(np.array([-1.0, 1.0]), size=(args.replicates, n))
        null = signs @ effects / n
        observed = effects.mean(axis=0)
        per_control = (1 + (null >= observed).sum(axis=0)) / (1 + args.replicates)
        # Multinomial probe weights from resampled indices (a bincount; rng.multinomial is ~10x slower).
        draws = rng.integers(0, n, size=(bootstrap, n)) + (np.arange(bootstrap) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=bootstrap * n).reshape(bootstrap, n).astype(float)
        boot = weights @ effects / n
        np.percentile(boot, [2.5, 97.5], axis=0)
        p_values.append(float(per_control.max()))
    timings["studies_s"] = time.perf_counter() - start
    print(json.dumps({
        "peer": "python " + sys.version.split()[0] + ", numpy " + np.__version__,
        "responses": len(records), "studies": len(studies), "replicates": args.replicates, "bootstrap": bootstrap,
        "timings": timings, "total_s": sum(timings.values()), "per_study_s": timings["studies_s"] / max(1, len(studies)),
        "p_values": p_values,
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
