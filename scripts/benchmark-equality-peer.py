#!/usr/bin/env python3
"""The equality test's peer: the reference implementation of Gao, Liang & Guestrin's MMD test
(PyPI `model-equality-testing` 0.0.2) on the very completions Lineage's benchmark tests.

Input: JSON {"a": [[completion, ...] per prompt], "b": [...]} (from `lineage-benchmarks mmd-input`).
Output: one JSON object with the statistic (to compare with Lineage's), the time of the statistic
and of the permutation p-value, and the p-value.

The package's `__init__` imports `transformers` for tokenisers that this test never uses; a stub
stands in for it so the benchmark need not install it. Everything that computes runs the package's
own code.
"""
import argparse
import json
import sys
import time
import types

import numpy as np

sys.modules.setdefault("transformers", types.SimpleNamespace(AutoTokenizer=None))
from model_equality_testing import pvalue, tests  # noqa: E402
from model_equality_testing.distribution import CompletionSample  # noqa: E402


def sample(completions, length):
    prompts, rows = [], []
    for prompt, texts in enumerate(completions):
        for text in texts:
            codes = [ord(c) for c in text][:length]
            rows.append(codes + [-1] * (length - len(codes)))
            prompts.append(prompt)
    return CompletionSample(prompts=np.array(prompts), completions=np.array(rows), m=len(completions))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--permutations", type=int, default=20)
    args = parser.parse_args()
    data = json.load(open(args.input, encoding="utf-8"))
    length = max(len(t) for texts in data["a"] + data["b"] for t in texts)
    a, b = sample(data["a"], length), sample(data["b"], length)

    start = time.perf_counter()
    statistic = float(tests.mmd_kspectrum(a, b, k=args.k, cumulative=True))
    statistic_seconds = time.perf_counter() - start

    start = time.perf_counter()
    get_pvalue = pvalue.two_sample_permutation_pvalue(a, b, b=args.permutations, stat_type="mmd_kspectrum",
                                                      k=args.k, cumulative=True)
    permutation_seconds = time.perf_counter() - start
    print(json.dumps({
        "peer": "model-equality-testing 0.0.2, python " + sys.version.split()[0],
        "statistic": statistic, "statistic_seconds": statistic_seconds,
        "permutations": args.permutations, "permutation_seconds": permutation_seconds,
        "seconds_per_permutation": permutation_seconds / args.permutations,
        "p_value": float(get_pvalue(statistic)),
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
