#!/usr/bin/env python3
"""Writes results/benchmarks.md from the measurements scripts/benchmark leaves in a folder."""
import argparse
import datetime
import json
import os


def load(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as handle:
        text = handle.read()
    start = text.find("{")
    return json.loads(text[start:]) if start >= 0 else {}


def timing(folder, name):
    with open(os.path.join(folder, name + ".time"), encoding="utf-8") as handle:
        line = handle.read().strip().splitlines()[-1]
    seconds, kilobytes = line.split()
    return float(seconds), int(kilobytes) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    f = args.folder
    stages = load(f, "stages.out")
    peer = load(f, "main-peer.out")
    mmd_peer = load(f, "mmd-peer.out")
    attribute = load(f, "main-attribute.out")
    machine = open(os.path.join(f, "machine.txt"), encoding="utf-8").read().strip().splitlines()

    sgemm = stages["sgemm"]
    feat = stages["featurisation"]
    sim = stages["similarity"]
    res = stages["resampling"]
    mmd = stages["mmd"]
    import_s, import_mb = timing(f, "main-import")
    attribute_s, attribute_mb = timing(f, "main-attribute")
    peer_s, peer_mb = timing(f, "main-peer")
    lineage_total = import_s + attribute_s

    # The peer's permutation p-value, extrapolated to Lineage's permutation count from its measured rate.
    peer_mmd_s = mmd_peer["statistic_seconds"] + mmd_peer["seconds_per_permutation"] * mmd["permutations"]
    lines = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add(f"Written by `scripts/benchmark` on {datetime.date.today().isoformat()}. Every figure below was measured in that one run, "
        "on this machine; ratios compare Lineage with its Python peer measured side by side in the same run.")
    add("")
    add("## Machine")
    add("")
    for line in machine:
        add(f"- {line}")
    add(f"- BLAS: {stages['blas']['configuration']} (core type {stages['blas'].get('core_type', 'unknown')})")
    add("")
    add("## Stages (one BLAS thread: per-core figures)")
    add("")
    add("| stage | figure | value |")
    add("|---|---|---|")
    add(f"| limit | sgemm {sgemm['size']}×{sgemm['size']}, best of 5 | {sgemm['gflops']:.1f} GFLOP/s |")
    add(f"| featurisation | {feat['responses']} responses, {feat['megabytes']:.1f} MB | {feat['responses_per_second']:.0f} responses/s, {feat['megabytes_per_second']:.2f} MB/s |")
    for family, rate in sorted(feat.get("families", {}).items()):
        add(f"| featurisation: {family} | | {rate['megabytes_per_second']:.2f} MB/s |")
    add(f"| similarity build | {sim['models']} models × {sim['probes']} probes (featurise, fingerprint rows, products) | {sim['builder_seconds']:.2f} s |")
    add(f"| similarity products | one sgemm per probe and turn on the columns in use, {sim['models']} × {sim['columns']} on average (2n²k flops counted) | {sim['product_gflops']:.1f} GFLOP/s = **{100 * sim['fraction_of_sgemm']:.0f}% of sgemm** |")
    if "same_shape_sgemm_gflops" in sim:
        add(f"| sgemm at the products' shape | a dense random {sim['models']} × {sim['columns']} matrix times its transpose, as the builder calls it | {sim['same_shape_sgemm_gflops']:.1f} GFLOP/s = {100 * sim['same_shape_sgemm_gflops'] / sgemm['gflops']:.0f}% of the square sgemm; the products run at **{100 * sim['fraction_of_same_shape_sgemm']:.0f}%** of it |")
    add(f"| sign-flip test | {res['probes']} probes × {res['comparisons']} comparisons | {res['sign_flip_replicates_per_second']:,.0f} replicates/s |")
    add(f"| bootstrap | same | {res['bootstrap_replicates_per_second']:,.0f} replicates/s |")
    add(f"| MMD equality test | {mmd['prompts']} prompts × {mmd['samples_per_prompt']} samples × {mmd['characters']} characters, {mmd['permutations']} permutations | {mmd['seconds']:.2f} s |")
    add("")
    add("## Side by side with the Python peers")
    add("")
    add("| work | Lineage | Python peer | ratio |")
    add("|---|---|---|---|")
    add(f"| end to end: import + attribute + report, {peer.get('models', '?')} models × {peer.get('probes', '?')} prompts ({peer.get('responses', '?')} responses, {peer.get('megabytes', 0):.1f} MB) | {lineage_total:.1f} s, {max(import_mb, attribute_mb):.0f} MiB peak | {peer_s:.1f} s, {peer_mb:.0f} MiB peak (scikit-learn TF-IDF, numpy) | **{peer_s / lineage_total:.1f}× faster** |")
    peer_analysis = sum(v for k, v in peer.get("timings", {}).items() if k != "load_s")
    add(f"| of which import into the hashed SQLite store | {import_s:.1f} s | (the peer reads the JSONL and stores nothing) | |")
    add(f"| of which analysis: attribute + report / featurise + similarity + tests | {attribute_s:.1f} s | {peer_analysis:.1f} s | **{peer_analysis / attribute_s:.0f}× faster** |")
    add(f"| MMD equality test, {mmd['permutations']} permutations | {mmd['seconds']:.2f} s | {peer_mmd_s:.1f} s (model-equality-testing 0.0.2; {mmd_peer['permutations']} permutations measured, {mmd_peer['seconds_per_permutation']:.3f} s each) | **{peer_mmd_s / mmd['seconds']:.0f}× faster** |")
    add(f"| MMD statistic on identical inputs | {mmd['statistic']:.12g} | {mmd_peer['statistic']:.12g} | difference {abs(mmd['statistic'] - mmd_peer['statistic']):.1e} |")
    if attribute:
        add("")
        add(f"Attribution p-values on the synthetic study (student of family 0 against teacher 0): Lineage {attribute.get('p_value')}, "
            f"peer (plain TF-IDF difference in differences, no length adjustment) {peer.get('p_value')}.")
    add("")
    add("## Growth (import + attribute)")
    add("")
    add("| shape | models | prompts | samples | responses | import s | attribute s | peak MiB |")
    add("|---|---|---|---|---|---|---|---|")
    base = None
    growth_memory = 1.0
    for line in open(os.path.join(f, "scaling.txt"), encoding="utf-8"):
        shape, models, prompts, samples = line.split()
        i_s, i_mb = timing(f, f"scale-{shape}-import")
        a_s, a_mb = timing(f, f"scale-{shape}-attribute")
        responses = int(models) * int(prompts) * int(samples)
        row = (i_s, a_s, max(i_mb, a_mb))
        if base is None:
            base = row
        growth_memory = max(growth_memory, row[2] / base[2])
        add(f"| {shape} ×2 | {models} | {prompts} | {samples} | {responses} | {i_s:.1f} ({i_s / base[0]:.2f}×) | {a_s:.1f} ({a_s / base[1]:.2f}×) | {row[2]:.0f} ({row[2] / base[2]:.2f}×) |"
            if shape != "base" else
            f"| base | {models} | {prompts} | {samples} | {responses} | {i_s:.1f} | {a_s:.1f} | {row[2]:.0f} |")
    add("")
    add("Targets (issue 6): similarity products ≥ 80% of sgemm; end to end ≥ 10× the Python peer; the equality test "
        "≥ 20× model-equality-testing; memory growing linearly in the number of responses.")
    add("")
    end_to_end = peer_s / lineage_total
    equality = peer_mmd_s / mmd['seconds']
    verdict = lambda met: "met" if met else "missed"
    text = (f"Where the targets stand: end to end {end_to_end:.1f}× the peer ({verdict(end_to_end >= 10)}); the equality test "
            f"{equality:.0f}× model-equality-testing ({verdict(equality >= 20)}); memory {max(import_mb, attribute_mb):.0f} MiB against the "
            f"peer's {peer_mb:.0f} MiB, growing at most {growth_memory:.2f}× when the responses double (linear or better). "
            f"Similarity products: {100 * sim['fraction_of_sgemm']:.0f}% of the square sgemm ({verdict(sim['fraction_of_sgemm'] >= 0.8)}).")
    if "same_shape_sgemm_gflops" in sim:
        text += (f" On the products' own shape ({sim['models']} rows × {sim['columns']} columns times its transpose) sgemm itself reaches "
                 f"only {100 * sim['same_shape_sgemm_gflops'] / sgemm['gflops']:.0f}% of its square rate, because with {sim['models']} rows "
                 f"packing the operands costs about as much as the arithmetic; the products run at "
                 f"{100 * sim['fraction_of_same_shape_sgemm']:.0f}% of that same-shape rate (the rest: smaller blocks on short turns). More rows per "
                 f"product would mean products across probes, flops wasted on numbers nobody needs; a study of {sim['models']} models "
                 f"gives {sim['models']} rows.")
    add(text)
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
