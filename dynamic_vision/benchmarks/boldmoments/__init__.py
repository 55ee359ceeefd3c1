"""BOLD Moments benchmarks per ROI: ridge (train videos -> test videos) and RSA (test videos).

The declarations and their registration; see ``benchmark.py``. Needs the open betas
(downloaded and hash-checked) and the gated videos (supplied by the user, see
``dynamic-vision info BOLDMoments``).
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

_TARGET = "dynamic_vision.benchmarks.boldmoments.benchmark:build"
# Angle of the videos on screen: not stated in the sources read, so the library default.
_COMMON = dict(kind="neural", version=2, stimulus_set="BOLDMoments", simulated=False,
               ceiling_convention="disattenuated", visual_degrees=8.0,
               time_bins="1 x 3000 ms (betas)", extra={"subjects": 10})

for _roi in ("V1", "V2", "MT"):
    register_benchmark(BenchmarkSpec(
        f"BOLDMoments.{_roi}-ridge", region=_roi, metric="ridge",
        ceiling_convention_reason="per-vertex Pearson r with the repetition-averaged betas, "
        "ceiled by the Spearman-Brown split-half reliability c of that average: a noise-free "
        "model reaches sqrt(c), so raw / sqrt(c) puts the truth at 1",
        ceiling="split-half over test repetitions", dataset="BOLDMoments.sub-XX.{train,test}",
        split="fit on 1,000 train videos, scored on 102 test videos", **_COMMON), _TARGET)
    register_benchmark(BenchmarkSpec(
        f"BOLDMoments.{_roi}-rsa", region=_roi, metric="rsa", ceiling="rsa_ceiling",
        ceiling_convention_reason="RDM correlation with the RDM of the trial-averaged betas, "
        "ceiled by the Spearman-Brown split-half reliability c of that RDM: a noise-free "
        "model's RDM reaches about sqrt(c), so raw / sqrt(c) puts the truth near 1",
        dataset="BOLDMoments.sub-XX.test", split="test videos, half held out", **_COMMON),
        _TARGET)
