"""BOLD Moments benchmarks per ROI: ridge (train videos -> test videos) and RSA (test videos).

The declarations and their registration; see ``benchmark.py``. Needs the open betas
(downloaded and hash-checked) and the gated videos (supplied by the user, see
``dynamic-vision info BOLDMoments``).
"""

from dynamic_vision.core.benchmark import BenchmarkSpec, register_benchmark

_TARGET = "dynamic_vision.benchmarks.boldmoments.benchmark:build"
# Angle of the videos on screen: not stated in the sources read, so the library default.
_COMMON = dict(kind="neural", version=1, stimulus_set="BOLDMoments", simulated=False,
               ceiling_convention="ratio", visual_degrees=8.0,
               time_bins="1 x 3000 ms (betas)", extra={"subjects": 10})

for _roi in ("V1", "V2", "MT"):
    register_benchmark(BenchmarkSpec(
        f"BOLDMoments.{_roi}-ridge", region=_roi, metric="ridge",
        ceiling="split-half over test repetitions", dataset="BOLDMoments.sub-XX.{train,test}",
        split="fit on 1,000 train videos, scored on 102 test videos", **_COMMON), _TARGET)
    register_benchmark(BenchmarkSpec(
        f"BOLDMoments.{_roi}-rsa", region=_roi, metric="rsa", ceiling="rsa_ceiling",
        dataset="BOLDMoments.sub-XX.test", split="test videos, half held out", **_COMMON),
        _TARGET)
