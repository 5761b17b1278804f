"""The Wilson score interval of a binomial proportion, shared by the evaluation scripts
(scripts/evaluate-lineage-dev, scripts/served-null.py, scripts/zoo-served-power.py,
scripts/zoo-canary-power.py)."""


def wilson(k, n, z=1.959964):
    """(low, high) for k successes in n trials; z = 1.959964 is the two-sided 95% level. (0, 1) when n = 0."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / d
    return (max(0.0, c - h), min(1.0, c + h))
