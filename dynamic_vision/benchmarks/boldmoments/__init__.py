"""BOLD Moments benchmarks per ROI: ridge (train videos -> test videos) and RSA (test videos).

Registration only; see ``benchmark.py``. Needs the open betas (downloaded and hash-checked) and
the gated videos (supplied by the user, see ``dynamic-vision info BOLDMoments``).
"""

from dynamic_vision.core.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.boldmoments.benchmark"

for _roi in ("V1", "V2", "MT"):
    benchmark_registry.register(
        f"BOLDMoments.{_roi}-ridge", f"{_TARGET}:ridge_{_roi.lower()}", version=1, kind="neural",
        region=_roi, metric="ridge", ceiling="split-half over test repetitions",
        ceiling_convention="ratio", dataset="BOLDMoments.sub-XX.{train,test}",
        stimulus_set="BOLDMoments", simulated=False, time_bins="1 x 3000 ms (betas)",
        split="fit on 1,000 train videos, scored on 102 test videos", subjects=10)
    benchmark_registry.register(
        f"BOLDMoments.{_roi}-rsa", f"{_TARGET}:rsa_{_roi.lower()}", version=1, kind="neural",
        region=_roi, metric="rsa", ceiling="rsa_ceiling", ceiling_convention="ratio",
        dataset="BOLDMoments.sub-XX.test", stimulus_set="BOLDMoments", simulated=False,
        time_bins="1 x 3000 ms (betas)", split="test videos, half held out",
        subjects=10)
