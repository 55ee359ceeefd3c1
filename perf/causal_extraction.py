"""Cost of causal time: the default causal windows against the earlier block windows.

Generates ``--clips`` one-second, 30 fps lossless clips (those of ``extraction_speed.py``) and
extracts the registered ``r3d_18-random`` (every declared layer, 16-frame windows at 15 fps,
``--size`` px, default 112) with the engine's defaults (sparse random projection, cache
disabled), each mode in a fresh process:

- ``block`` (the named peer, the earlier default): consecutive 16-frame windows, every output
  time step kept — non-causal (a step sees up to 15 frames of its future);
- ``causal`` (the default): a 16-frame window ending every 8 frames, its last time step held
  until the next;
- ``causal-1`` (with ``--per-frame``): a window ending at every frame (``window_stride=1``).

Usage::

    python perf/causal_extraction.py [--clips 40] [--size 112] [--per-frame] [--threads N]

Prints wall and CPU seconds, forward passes (windows) and the ratios to block windows.
Target: causal (default) at most 2x block in wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

MODES = {"block": ("block", None), "causal": ("causal", None), "causal-1": ("causal", 1)}


def _child(args: argparse.Namespace) -> None:
    import torch

    import dynamic_vision as dv
    from dynamic_vision.io.stimuli import StimulusSet
    from dynamic_vision.modeling.activations import extract_activations
    from extraction_speed import _clips

    if args.threads:
        torch.set_num_threads(args.threads)
    os.environ["DYNAMIC_VISION_NO_CACHE"] = "1"
    model = dv.load_model("r3d_18-random", input_size=args.size, progress=False)
    stimuli = StimulusSet.from_files(_clips(Path(args.folder), args.clips), identifier="bench",
                                     progress=False)
    windows = []
    model.module.register_forward_pre_hook(lambda _m, a: windows.append(int(a[0].shape[0])))
    window, stride = MODES[args.child]
    extract_activations(model.module, model.spec, stimuli.iloc[:1], ["avgpool"], window=window,
                        window_stride=stride, progress=False)  # warm-up, not timed
    windows.clear()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    acts = extract_activations(model.module, model.spec, stimuli, window=window,
                               window_stride=stride, progress=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    steps = {layer: int(a.sizes["time_step"]) for layer, a in acts.items()}
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "windows": sum(windows),
                      "steps": steps}))


def _measure(mode: str, args: argparse.Namespace, folder: Path) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--folder", str(folder), "--clips",
               str(args.clips), "--size", str(args.size), "--threads", str(args.threads)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=40)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--per-frame", action="store_true",
                        help="also measure a causal window at every frame (window_stride=1)")
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    from extraction_speed import _clips

    with tempfile.TemporaryDirectory(prefix="dv-causal-bench-") as tmp:
        folder = Path(tmp)
        _clips(folder, args.clips)
        print(f"r3d_18-random, {args.clips} one-second clips, {args.size} px; load average "
              f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
        modes = ["block", "causal"] + (["causal-1"] if args.per_frame else [])
        runs = {}
        for mode in modes:
            runs[mode] = run = _measure(mode, args, folder)
            print(f"  {mode:9s} {run['seconds']:7.1f} s wall  {run['cpu_seconds']:7.1f} s CPU  "
                  f"{run['windows']:5d} windows  steps per layer {run['steps']}", flush=True)
        block = runs["block"]
        for mode in modes[1:]:
            run = runs[mode]
            print(f"  {mode}/block: time {run['seconds'] / block['seconds']:.2f}x, CPU time "
                  f"{run['cpu_seconds'] / block['cpu_seconds']:.2f}x, windows "
                  f"{run['windows'] / block['windows']:.2f}x"
                  + ("  (target <= 2.00)" if mode == "causal" else ""), flush=True)
        print(f"  load average now {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
