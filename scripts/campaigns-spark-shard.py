"""The shard step of `lineage campaigns` as a Spark job (see docs/campaigns-at-scale.md).

    spark-submit --files /usr/local/bin/lineage scripts/campaigns-spark-shard.py LOGS OUTPUT [PARTITIONS]

Reads the request logs (JSON Lines; any path or glob Spark reads), pipes every partition through
`lineage logs summarise /dev/stdin --output -`, and saves one summary per partition under OUTPUT
(part-00000, part-00001, ...). Then, on one machine:

    lineage logs merge OUTPUT/part-* --output summary.jsonl
    lineage campaigns --summaries summary.jsonl --report campaigns-report

The merge is exact, so the result equals a single pass over the whole log, whatever the partitioning.
Not run here (no Spark on the development machine); the property it relies on is tested by ShardMergeTests.
"""
import os
import sys

from pyspark.sql import SparkSession


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    logs, output = sys.argv[1], sys.argv[2]
    spark = SparkSession.builder.appName("lineage-campaigns-shard-step").getOrCreate()
    lines = spark.sparkContext.textFile(logs)
    if len(sys.argv) > 3:
        lines = lines.repartition(int(sys.argv[3]))
    # `--files` puts the binary in each executor's working directory; LINEAGE_BINARY overrides
    # (e.g. "lineage" when it is installed in the executors' image).
    binary = os.environ.get("LINEAGE_BINARY", "./lineage")
    summaries = lines.pipe(f"{binary} logs summarise /dev/stdin --output -")
    summaries.saveAsTextFile(output)
    spark.stop()


if __name__ == "__main__":
    main()
