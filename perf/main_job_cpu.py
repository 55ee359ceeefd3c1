"""CPU-seconds of the README main job, cold: an earlier commit against the working tree.

Runs the main job of the README (``dynamic-vision score`` on the simulated benchmarks) in fresh
processes, twice per tree: cold, in a fresh ``DYNAMIC_VISION_HOME`` (SimMotion is built, every
activation, ceiling and score is computed), then warm in the same home (caches). The earlier
tree is the git ``--ref`` checked out in a temporary worktree; the later one is the working
tree this script belongs to. Both run with this interpreter and its environment.

Prints, per tree, the CPU-seconds (user + system of the child processes, from
``wait4``), wall seconds and peak resident memory of the cold run, the
wall seconds of the warm run, and the ratios (working tree / ref). The load average is printed
too: on a shared machine CPU-seconds move far less with the load than wall time does.

It also prints the job's **forward-pass floor**: the CPU-seconds of a plain PyTorch loop doing
only the forward passes the job's two networks must do (torchvision ``r3d_18`` and ``resnet18``
with random weights at the job's input size, channels-last as the engine runs them, on random
inputs: no decoding, no readout), in a fresh process with torch's default threads like the job.
The counts come from the library's rules: every SimMotion clip, resampled to each model's
frame rate, cut into the model's default (causal) windows, in the engine's CPU batch sizes.
No version of the job can cost less than this floor; the ratio of the job to it is what the
rest of the pipeline (data, decoding, readouts, ceilings) adds.

    python perf/main_job_cpu.py                         # the README main job, default ref
    python perf/main_job_cpu.py --ref main~3
    python perf/main_job_cpu.py --quick                 # motion-energy and pixels on V1 only
    python perf/main_job_cpu.py --floor-only            # the forward-pass floor alone
    python perf/main_job_cpu.py --ours-option r3d_18-random:window=block
        # the working tree at the ref's (non-causal) windows: the same forward passes as f43cf3a
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ``main`` before the work that made the main job cheaper (activation reuse, clips built on
#: demand, readouts at the limit) and changed its numbers (ceiling convention, causal time):
#: the baseline of the "half the CPU-seconds" claim and of the before/after score table.
DEFAULT_REF = "f43cf3a"
#: The README's main job (keep in step with README.md).
MAIN_JOB = {
    "models": "motion-energy,pixels,r3d_18-random,resnet18-random",
    "benchmarks": "SimMotion.*,RandomDots.*",
    "model_options": ["r3d_18-random:input_size=64", "resnet18-random:input_size=64"],
}
QUICK_JOB = {"models": "motion-energy,pixels", "benchmarks": "SimMotion.V1-ridge",
             "model_options": []}


@dataclass
class Run:
    """One command-line run: CPU-seconds of the child, wall seconds, peak RSS (MiB)."""

    cpu_s: float
    wall_s: float
    peak_mib: float
    table: str


def run(tree: Path, home: Path, output: Path, job: dict) -> Run:
    """The main job with ``tree``'s code and data under ``home``."""
    command = [sys.executable, "-m", "dynamic_vision.cli", "score", "--models", job["models"],
               "--benchmarks", job["benchmarks"], "--output", str(output)]
    for option in job["model_options"]:
        command += ["--model-option", option]
    environment = {**os.environ, "DYNAMIC_VISION_HOME": str(home), "PYTHONPATH": str(tree),
                   "HF_HUB_OFFLINE": "1"}
    log = output.with_suffix(".log")
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w+") as stdout, open(log.with_suffix(".err"), "w+") as stderr:
        process = subprocess.Popen(command, cwd=tree, env=environment, stdout=stdout,
                                   stderr=stderr)
        # wait4: this child's own usage (with the children it waited for), not a running total
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        table, errors = stdout.read(), stderr.read()
    if process.returncode != 0:
        sys.exit(f"The main job failed in {tree} ({process.returncode}):\n{errors[-3000:]}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024.0, table)


def checkout(ref: str, folder: Path) -> Path:
    """``ref`` checked out (detached) in a temporary worktree at ``folder``."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                    str(folder), ref], check=True)
    return folder


def remove_checkout(folder: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
                   check=False, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)


# -- the forward-pass floor ----------------------------------------------------------------------
#: The job's networks: (plugin holding the declaration, torchvision constructor).
FLOOR_NETWORKS = {
    "r3d_18": ("dynamic_vision.models.r3d_18", "video.r3d_18"),
    "resnet18": ("dynamic_vision.models.resnet18", "resnet18"),
}


def _job_option(options: list[str], network: str, key: str, default: str | None
                ) -> str | None:
    """The value of ``key`` among the ``MODEL:KEY=VALUE`` options for ``network``'s random
    twin, or ``default``."""
    for option in options:
        model, setting = option.split(":", 1)
        name, value = setting.split("=", 1)
        if model == f"{network}-random" and name == key:
            return value
    return default


def _floor_child(options: list[str]) -> None:
    """Time the forward passes of the job with ``options`` in a plain loop; print one JSON line
    per network."""
    import importlib

    import torch
    import torchvision

    from dynamic_vision.data.simmotion.build import catalog
    from dynamic_vision.modeling.activations.engine import _default_batch_size
    from dynamic_vision.modeling.activations.windows import WindowRule

    clips = catalog()
    torch.manual_seed(0)
    for name, (plugin, constructor) in FLOOR_NETWORKS.items():
        spec = importlib.import_module(plugin).SPEC
        size = int(_job_option(options, name, "input_size", str(spec.input_size)))
        rule = WindowRule.for_spec(spec, _job_option(options, name, "window", None))
        units = 0
        for duration_ms in clips["duration_ms"]:
            # read_frames' count: frames due before the clip ends, at the model's rate
            n_frames = max(1, math.ceil(float(duration_ms) * spec.fps / 1000.0 - 1e-6))
            units += rule.unit_frames(n_frames, static=False).shape[0]
        batch = _default_batch_size(spec, torch.device("cpu"))
        network = torchvision.models
        for part in constructor.split("."):
            network = getattr(network, part)
        network = network().eval()
        if spec.kind == "video":
            shape, memory_format = (3, rule.clip_length, size, size), torch.channels_last_3d
        else:
            shape, memory_format = (3, size, size), torch.channels_last
        network = network.to(memory_format=memory_format)
        inputs = torch.randn(batch, *shape).contiguous(memory_format=memory_format)
        with torch.inference_mode():
            network(inputs[:1])  # one-off start-up of the convolution kernels, not counted
            start = _cpu_seconds()
            for first in range(0, units, batch):
                network(inputs[: min(batch, units - first)])
            cpu = _cpu_seconds() - start
        print(json.dumps({"network": name, "units": units, "kind": spec.kind, "batch": batch,
                          "threads": torch.get_num_threads(), "cpu_s": cpu}), flush=True)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def floor(options: list[str]) -> list[dict]:
    """The forward-pass floor of the job with ``options``, measured in a fresh process of the
    working tree."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, __file__, "--floor-child"]
    for option in options:
        command += ["--ours-option", option]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"The forward-pass floor failed ({result.returncode}):\n"
                 f"{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def print_floor(rows: list[dict], ours: Run | None = None, ref: tuple[str, Run] | None = None
                ) -> None:
    total = sum(row["cpu_s"] for row in rows)
    print(f"forward-pass floor (plain PyTorch loop, the job's forward passes only, "
          f"{rows[0]['threads']} threads):")
    for row in rows:
        unit = "windows" if row["kind"] == "video" else "frames"
        print(f"  {row['network']:<10s} {row['units']:6d} {unit:<8s} batch {row['batch']:<3d} "
              f"{row['cpu_s']:8.1f} CPU-s")
    print(f"  {'total':<36s} {total:8.1f} CPU-s")
    if ours is not None:
        print(f"  working tree's cold job / floor: {ours.cpu_s / total:.2f}")
    if ref is not None:  # the ref may run other forward passes (e.g. other windows)
        print(f"  floor / {ref[0]}'s whole cold job: {total / ref[1].cpu_s:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=DEFAULT_REF,
                        help=f"git commit of the baseline (default {DEFAULT_REF}: main before "
                             f"this work)")
    parser.add_argument("--quick", action="store_true",
                        help="a reduced job (motion-energy and pixels on SimMotion.V1-ridge) "
                             "to check that the script works")
    parser.add_argument("--skip-warm", action="store_true", help="cold runs only")
    parser.add_argument("--skip-floor", action="store_true",
                        help="do not measure the forward-pass floor")
    parser.add_argument("--floor-only", action="store_true",
                        help="measure the forward-pass floor alone")
    parser.add_argument("--ours-option", action="append", default=[], metavar="MODEL:KEY=VALUE",
                        help="a model option given to the working tree's job only (and to the "
                             "floor), e.g. r3d_18-random:window=block to run the ref's windows")
    parser.add_argument("--floor-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_child:
        _floor_child(MAIN_JOB["model_options"] + args.ours_option)
        return
    if args.floor_only:
        print_floor(floor(args.ours_option))
        return
    job = QUICK_JOB if args.quick else MAIN_JOB
    jobs = {args.ref: job, "working tree": {**job, "model_options": job["model_options"]
                                            + args.ours_option}}
    scratch = Path(tempfile.mkdtemp(prefix="dv-main-job-cpu-"))
    trees = {}
    try:
        trees[args.ref] = checkout(args.ref, scratch / "ref")
        trees["working tree"] = ROOT
        load_before = os.getloadavg()
        cold, warm = {}, {}
        for name, tree in trees.items():
            label = name.replace(" ", "-")
            print(f"cold run, {name} ...", flush=True)
            cold[name] = run(tree, scratch / f"home-{label}", scratch / f"out-{label}-cold",
                             jobs[name])
        if not args.skip_warm:
            for name, tree in trees.items():
                label = name.replace(" ", "-")
                print(f"warm run, {name} ...", flush=True)
                warm[name] = run(tree, scratch / f"home-{label}", scratch / f"out-{label}-warm",
                                 jobs[name])
        floor_rows = [] if args.quick or args.skip_floor else floor(args.ours_option)
        load_after = os.getloadavg()
    finally:
        if args.ref in trees:
            remove_checkout(trees[args.ref])
        shutil.rmtree(scratch, ignore_errors=True)

    for name in trees:  # the scores too: what changed besides the time
        print(f"scores, {name}:\n{cold[name].table}")
    models = job["models"]
    options = " ".join(f"--model-option {o}" for o in job["model_options"])
    print(f"job: dynamic-vision score --models {models} {options} "
          f"--benchmarks '{job['benchmarks']}' --output DIR")
    if args.ours_option:
        print("working tree only: " + " ".join(f"--model-option {o}" for o in args.ours_option))
    print(f"{'':24s} {'cold CPU-s':>11s} {'cold wall s':>12s} {'peak RSS MiB':>13s} "
          f"{'warm wall s':>12s}")
    for name in trees:
        warm_s = f"{warm[name].wall_s:12.1f}" if name in warm else f"{'-':>12s}"
        print(f"{name[:24]:24s} {cold[name].cpu_s:11.1f} {cold[name].wall_s:12.1f} "
              f"{cold[name].peak_mib:13.0f} {warm_s}")
    ref, ours = cold[args.ref], cold["working tree"]
    print(f"cold CPU-seconds, working tree / {args.ref}: {ours.cpu_s / ref.cpu_s:.2f} "
          f"({ref.cpu_s / ours.cpu_s:.2f}x fewer)")
    print(f"cold wall time,   working tree / {args.ref}: {ours.wall_s / ref.wall_s:.2f}")
    if warm:
        print(f"warm wall time,   working tree / {args.ref}: "
              f"{warm['working tree'].wall_s / warm[args.ref].wall_s:.2f}")
    if floor_rows:
        print_floor(floor_rows, ours, (args.ref, ref))
    print(f"load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f} "
          f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
