"""senim audit vs fairlearn MetricFrame: 1 million decisions, two sensitive columns.

Both run as whole processes on the same Parquet file (start-up, imports, reading, computing and
writing JSON all count). senim computes more than fairlearn here: both columns alone *and* their
intersection, Wilson/Newcombe intervals, tests and the policy; fairlearn computes the nine metrics
for the intersection only. Values for the intersection must agree to 1e-9.

    .venv/bin/python benchmarks/audit_fairlearn.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks._report import machine_line, write_section

METRICS = {
    "count": "count",
    "base_rate": "base_rate",
    "selection_rate": "selection_rate",
    "true_positive_rate": "true_positive_rate",
    "false_positive_rate": "false_positive_rate",
    "false_negative_rate": "false_negative_rate",
    "true_negative_rate": "true_negative_rate",
    "positive_predictive_value": "positive_predictive_value",
    "negative_predictive_value": "negative_predictive_value",
    "accuracy": "accuracy",
}

FAIRLEARN_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame, count, false_negative_rate, false_positive_rate, selection_rate,
        true_negative_rate, true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    def base_rate(y_true, y_pred):
        return float(np.mean(y_true))

    def npv(y_true, y_pred):
        return precision_score(1 - np.asarray(y_true), 1 - np.asarray(y_pred), zero_division=0)

    def ppv(y_true, y_pred):
        return precision_score(y_true, y_pred, zero_division=0)

    import time
    df = pd.read_parquet(sys.argv[1])
    start = time.perf_counter()
    frame = MetricFrame(
        metrics={
            "count": count, "base_rate": base_rate, "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate,
            "false_negative_rate": false_negative_rate, "true_negative_rate": true_negative_rate,
            "positive_predictive_value": ppv, "negative_predictive_value": npv,
            "accuracy": accuracy_score,
        },
        y_true=df["label"], y_pred=df["decision"], sensitive_features=df[["sex", "region"]],
    )
    compute = time.perf_counter() - start
    out = []
    for (sex, region), row in frame.by_group.iterrows():
        out.append({"features": {"sex": sex, "region": region},
                    **{k: float(v) for k, v in row.items()}})
    with open(sys.argv[2], "w") as fh:
        json.dump({"groups": out, "compute_seconds": compute,
                   "overall": {k: float(v) for k, v in frame.overall.items()}}, fh)
    """
)


def make_data(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], rows, p=[0.48, 0.52])
    region = rng.choice(["Almaty", "Astana", "rural-south", "rural-north"], rows)
    label = rng.random(rows) < np.where(sex == "F", 0.35, 0.40)
    bias = np.where(np.char.startswith(region, "rural"), -0.08, 0.0)
    decision = rng.random(rows) < np.where(label, 0.75, 0.20) + bias
    pl.DataFrame(
        {
            "sex": sex,
            "region": region,
            "label": label.astype(np.int8),
            "decision": decision.astype(np.int8),
        }
    ).write_parquet(path)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def compare(senim_json: Path, fairlearn_json: Path) -> tuple[int, float]:
    ours = json.loads(senim_json.read_text())
    theirs = json.loads(fairlearn_json.read_text())
    index = {
        (g["features"]["sex"], g["features"]["region"]): g
        for g in ours["groups"]
        if set(g["features"]) == {"sex", "region"}
    }
    worst = 0.0
    compared = 0
    for group in theirs["groups"]:
        mine = index[(group["features"]["sex"], group["features"]["region"])]
        for ours_name, their_name in METRICS.items():
            value = mine[ours_name]
            worst = max(worst, abs(float(value) - group[their_name]))
            compared += 1
    return compared, worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    senim = str(Path(sys.executable).with_name("senim"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = folder / "decisions.parquet"
        make_data(data, args.rows)
        script = folder / "fairlearn_run.py"
        script.write_text(FAIRLEARN_SCRIPT)
        ours_cmd = [
            senim,
            "audit",
            str(data),
            "--prediction",
            "decision",
            "--label",
            "label",
            "--sensitive",
            "sex,region",
            "--intersectional",
            "--format",
            "json",
            "-o",
            str(folder / "senim.json"),
        ]
        theirs_cmd = [sys.executable, str(script), str(data), str(folder / "fairlearn.json")]
        ours = [timed(ours_cmd) for _ in range(max(5, args.repeat))]
        theirs = [timed(theirs_cmd) for _ in range(max(1, args.repeat - 1))]
        floor = [timed([sys.executable, "-c", "import senim.cli"]) for _ in range(args.repeat)]
        compared, worst = compare(folder / "senim.json", folder / "fairlearn.json")
        their_compute = json.loads((folder / "fairlearn.json").read_text())["compute_seconds"]
        from senim.audit import audit_decisions

        our_compute = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            audit_decisions(
                str(data),
                prediction="decision",
                label="label",
                sensitive=["sex", "region"],
                intersectional=True,
            )
            our_compute.append(time.perf_counter() - start)
    wall_ours, wall_theirs = min(w for w, _ in ours), min(w for w, _ in theirs)
    cpu_ours, cpu_theirs = min(c for _, c in ours), min(c for _, c in theirs)
    import_floor = min(w for w, _ in floor)
    speedup = wall_theirs / wall_ours
    identical = worst <= 1e-9
    print(
        f"senim {wall_ours:.2f}s (cpu {cpu_ours:.2f}s, import floor {import_floor:.2f}s) "
        f"fairlearn {wall_theirs:.2f}s (cpu {cpu_theirs:.2f}s) speed-up {speedup:.1f}x; "
        f"compute {min(our_compute):.3f}s vs {their_compute:.2f}s; "
        f"{compared} values, max abs diff {worst:.2e}"
    )
    markdown = f"""
## audit: `senim audit` vs fairlearn `MetricFrame`

{args.rows:,} decisions, two sensitive columns (sex × region, 8 intersectional groups), ten
metrics (count, base rate, selection rate, TPR, FPR, FNR, TNR, PPV, NPV, accuracy). Whole
processes on the same Parquet file: start-up, imports, reading, computing, writing JSON.
senim also computes each column alone, Wilson and Newcombe intervals, tests and the policy;
fairlearn computes the intersection only. Best of {len(ours)} (senim) and {len(theirs)}
(fairlearn) runs; the machine is shared, so CPU time (user + system) is shown too.

| | senim | fairlearn | ratio |
|---|---:|---:|---:|
| whole process, wall | {wall_ours:.2f} s | {wall_theirs:.2f} s | **{speedup:.1f}x** |
| whole process, CPU | {cpu_ours:.2f} s | {cpu_theirs:.2f} s | {cpu_theirs / cpu_ours:.1f}x |
| metrics only (read + compute in process) | {min(our_compute):.3f} s | {their_compute:.2f} s (MetricFrame) | {their_compute / min(our_compute):.0f}x |

Importing the `senim` package alone (`python -c "import senim.cli"`, which every command
pays) takes {import_floor:.2f} s here. Target ≥ 30x for the whole process: wall time
{"met" if speedup >= 30 else "not met"} ({speedup:.1f}x), CPU time
{"met" if cpu_theirs / cpu_ours >= 30 else "not met"} ({cpu_theirs / cpu_ours:.1f}x).
Agreement: {compared} values compared, largest absolute difference {worst:.1e}
({"identical to 1e-9" if identical else "NOT identical to 1e-9"}).

{machine_line(["polars", "pyarrow", "fairlearn", "scikit-learn", "pandas", "numpy"])}
"""
    write_section("audit-fairlearn", markdown)


if __name__ == "__main__":
    main()
