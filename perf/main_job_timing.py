"""Time the README's main job cold (fresh data directory: SimMotion is built) and warm.

    python perf/main_job_timing.py [--models motion-energy,pixels]
        [--benchmarks 'SimMotion.*,RandomDots.*'] [--model-option MODEL:KEY=VALUE ...]

Both runs go through the ``dynamic-vision score`` command in fresh processes; the warm run reuses
the cold run's data directory, so it reads scores, ceilings and data from the caches. Prints the
wall-clock times, their ratio, the peak resident memory of each run and the machine's load
average, which matters on shared machines.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(command: list[str], home: Path, output: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of one command-line run."""
    environment = {**os.environ, "DYNAMIC_VISION_HOME": str(home)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    completed = subprocess.run([*command, "--output", str(output)], env=environment,
                               capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode != 0:
        sys.exit(f"The main job failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return elapsed, max(peak, before) / 1024.0, completed.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="motion-energy,pixels")
    parser.add_argument("--benchmarks", default="SimMotion.*,RandomDots.*")
    parser.add_argument("--model-option", action="append", default=[])
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    # The same entry point as the ``dynamic-vision`` script, with this interpreter.
    command = [sys.executable, "-m", "dynamic_vision.cli", "score", "--models", args.models,
               "--benchmarks", args.benchmarks]
    for option in args.model_option:
        command += ["--model-option", option]
    root = Path(tempfile.mkdtemp(prefix="dv-main-job-"))
    try:
        load_before = os.getloadavg()
        cold, cold_rss, table = run(command, root / "home", root / "cold")
        warm, warm_rss, _ = run(command, root / "home", root / "warm")
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(table)
    print(f"command: dynamic-vision {' '.join(command[3:])} --output DIR")
    print(f"cold (fresh data directory, SimMotion built): {cold:7.1f} s, "
          f"peak RSS {cold_rss:.0f} MiB")
    print(f"warm (same data directory, caches):          {warm:7.1f} s")
    print(f"cold / warm: {cold / warm:.1f}x")
    print(f"load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f} "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
