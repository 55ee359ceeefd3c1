"""A fixed GPU check: frames/s in float32 vs bfloat16 autocast, peak GPU memory, and what
bfloat16 does to a SimMotion score.

For each model (random weights, so nothing is downloaded):

- ``resnet18-random`` (torchvision ResNet-18, frame by frame, 224 px, 30 fps),
- ``r3d_18-random`` (torchvision R3D-18, 16-frame clips at 112 px, 15 fps),
- ``transformers/videomae`` (VideoMAE-B default configuration, 16 frames at 224 px, tubelets of
  2; skipped without ``transformers``),

it extracts every declared layer for all 256 SimMotion clips with the engine's defaults on the
GPU, once in float32 and once under bfloat16 autocast (``dtype="bfloat16"``), the activation
cache off, and reports frames/s (stimulus frames at the model's rate per second of wall time,
decoding included), the ratio bf16/fp32, and the peak GPU memory of each run
(``torch.cuda.max_memory_allocated``). It then scores each model on ``SimMotion.V1-ridge`` in
both precisions and prints the two scores and their difference.

Usage::

    python perf/gpu_check.py [--models resnet18-random r3d_18-random transformers/videomae]
                             [--output results.json] [--smoke]

Without CUDA it prints that nothing was measured and exits 0. ``--smoke`` runs the extraction part
on the CPU with tiny inputs and 8 clips, without scores (checks the script, measures nothing
meaningful).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

MODELS = ["resnet18-random", "r3d_18-random", "transformers/videomae"]
BENCHMARK = "SimMotion.V1-ridge"
SMOKE_OPTIONS = {"resnet18-random": {"input_size": 32},
                 "r3d_18-random": {"input_size": 32, "clip_length": 4},
                 "transformers/videomae": {"input_size": 32, "clip_length": 4, "config": {
                     "hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 2,
                     "num_hidden_layers": 4}}}


def _frames(model, stimuli) -> int:
    fps = model.spec.fps
    return int(sum(max(1, math.ceil(d * fps / 1000.0)) for d in stimuli["duration_ms"]))


def _measure(identifier: str, dtype: str | None, stimuli, options: dict, device: str,
             score: bool = True) -> dict:
    import torch

    import dynamic_vision as dv

    model = dv.load_model(identifier, **options, dtype=dtype, device=device, cache=False,
                          progress=False)
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    model.activations(stimuli)
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() if device == "cuda" else float("nan")
    value = raw = float("nan")
    if score:
        result = dv.score(identifier, BENCHMARK, cache=False,
                          model_options={**options, "dtype": dtype, "device": device,
                                         "progress": False})
        value, raw = result.value, result.raw
    return {"frames_per_s": _frames(model, stimuli) / seconds, "seconds": seconds,
            "peak_gpu_bytes": peak, "score": value, "raw": raw}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--output", help="write the measurements as JSON")
    parser.add_argument("--smoke", action="store_true",
                        help="CPU, tiny inputs, 8 clips: check the script only")
    args = parser.parse_args(argv)

    import torch

    if not args.smoke and not torch.cuda.is_available():
        print("CUDA is not available: nothing measured (this check needs a GPU).")
        return 0
    os.environ.setdefault("DYNAMIC_VISION_HOME", tempfile.mkdtemp(prefix="dv-gpu-check-"))
    import dynamic_vision as dv

    device = "cpu" if args.smoke else "cuda"
    stimuli = dv.load_stimulus_set("SimMotion")
    if args.smoke:
        stimuli = stimuli.iloc[:8]
    where = torch.cuda.get_device_name() if device == "cuda" else "CPU (smoke run)"
    print(f"{where}; {len(stimuli)} SimMotion clips; {BENCHMARK}")
    rows = {}
    for identifier in args.models:
        if identifier.startswith("transformers/"):
            try:
                import transformers  # noqa: F401
            except ImportError:
                print(f"{identifier}: skipped (pip install \"dynamic-vision[transformers]\")")
                continue
        options = SMOKE_OPTIONS.get(identifier, {}) if args.smoke else {}
        runs = {}
        for name, dtype in (("fp32", None), ("bf16", "bfloat16")):
            runs[name] = _measure(identifier, dtype, stimuli, options, device,
                                  score=not args.smoke)
        fp32, bf16 = runs["fp32"], runs["bf16"]
        rows[identifier] = {**runs,
                            "speed_ratio_bf16_fp32": bf16["frames_per_s"] / fp32["frames_per_s"],
                            "score_difference": bf16["score"] - fp32["score"]}
        print(f"{identifier}: frames/s fp32 {fp32['frames_per_s']:.1f}, bf16 "
              f"{bf16['frames_per_s']:.1f} (x{rows[identifier]['speed_ratio_bf16_fp32']:.2f}); "
              f"peak GPU memory fp32 {fp32['peak_gpu_bytes'] / 2**30:.2f} GiB, bf16 "
              f"{bf16['peak_gpu_bytes'] / 2**30:.2f} GiB; score fp32 {fp32['score']:.4f}, "
              f"bf16 {bf16['score']:.4f} (difference {rows[identifier]['score_difference']:+.4f})")
    if args.output:
        with open(args.output, "w") as handle:
            json.dump({"device": where, "benchmark": BENCHMARK, "models": rows}, handle,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
