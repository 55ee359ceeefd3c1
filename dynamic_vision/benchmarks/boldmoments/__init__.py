"""BOLD Moments benchmarks: ridge and RSA per ROI on the 102 test videos (10 repetitions each).

Registration only; see ``benchmark.py``. Needs the open betas (downloaded and hash-checked) and
the gated videos (supplied by the user, see ``dynamic-vision info BOLDMoments``).
"""

from dynamic_vision.registry import benchmark_registry

_TARGET = "dynamic_vision.benchmarks.boldmoments.benchmark"

for _roi in ("V1", "V2", "MT"):
    benchmark_registry.register(
        f"BOLDMoments.{_roi}-ridge", f"{_TARGET}:ridge_{_roi.lower()}", version=1, kind="neural",
        region=_roi, metric="ridge", ceiling="split_half_ceiling", ceiling_convention="ratio",
        dataset="BOLDMoments.sub-XX.test", stimulus_set="BOLDMoments", simulated=False,
        time_bins="1 x 3000 ms (betas)", split="test videos, half held out",
        subjects=10)
    benchmark_registry.register(
        f"BOLDMoments.{_roi}-rsa", f"{_TARGET}:rsa_{_roi.lower()}", version=1, kind="neural",
        region=_roi, metric="rsa", ceiling="rsa_ceiling", ceiling_convention="ratio",
        dataset="BOLDMoments.sub-XX.test", stimulus_set="BOLDMoments", simulated=False,
        time_bins="1 x 3000 ms (betas)", split="test videos, half held out",
        subjects=10)
