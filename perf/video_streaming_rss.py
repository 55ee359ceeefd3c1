"""Peak memory of streaming a long movie with ``iter_frames`` versus reading it whole.

Generates a 5-minute, 30 fps, 224 x 224 lossless video (written chunk by chunk), then measures
in fresh processes (peak RSS only ever grows within a process):

- ``iter_frames``: ``dynamic_vision.io.video.iter_frames`` with 64-frame chunks, touching every
  frame (sum of pixels);
- ``pyav-decode-all`` (the named peer): the naive approach, PyAV decoding every frame to a
  numpy array in a list, then ``np.stack``;
- ``read_frames``: this library's whole-clip reader, for reference.

Usage::

    python perf/video_streaming_rss.py [--minutes 5] [--size 224] [--fps 30]

Prints peak RSS and wall time of each, and the ratio of the peer's peak RSS to ours. The
streaming peak must stay below 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

LIMIT_BYTES = 1.5e9


def _peak_rss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _movie(n_frames: int, size: int, chunk: int = 64) -> Iterator[np.ndarray]:
    """A drifting two-dimensional pattern with a moving square: cheap to draw and encode."""
    ramp = np.arange(size, dtype=np.uint16)
    for start in range(0, n_frames, chunk):
        count = min(chunk, n_frames - start)
        block = np.empty((count, size, size, 3), dtype=np.uint8)
        for offset in range(count):
            t = start + offset
            block[offset, ..., 0] = ((ramp[None, :] + 2 * t) % 256).astype(np.uint8)
            block[offset, ..., 1] = ((ramp[:, None] + t) % 256).astype(np.uint8)
            block[offset, ..., 2] = 128
            x = (3 * t) % (size - 32)
            block[offset, 96:128, x:x + 32] = 255
        yield block


def _measure(mode: str, path: str) -> dict:
    from dynamic_vision.io import video

    start = time.perf_counter()
    total, frames = 0, 0
    if mode == "iter_frames":
        for chunk in video.iter_frames(path, chunk_frames=64):
            total += int(chunk.sum(dtype=np.int64))
            frames += len(chunk)
    elif mode == "read_frames":
        movie = video.read_frames(path)
        total, frames = int(movie.sum(dtype=np.int64)), len(movie)
    elif mode == "pyav-decode-all":
        import av

        with av.open(path) as container:
            decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        movie = np.stack(decoded)
        total, frames = int(movie.sum(dtype=np.int64)), len(movie)
    else:
        raise ValueError(mode)
    return {"mode": mode, "frames": frames, "checksum": total,
            "seconds": time.perf_counter() - start, "peak_rss": _peak_rss_bytes()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return 0

    from dynamic_vision.io import video

    n_frames = int(round(args.minutes * 60 * args.fps))
    with tempfile.TemporaryDirectory(prefix="dv-rss-") as folder:
        path = Path(folder) / "movie.mkv"
        start = time.perf_counter()
        video.write_video(path, _movie(n_frames, args.size), args.fps)
        print(f"wrote {n_frames} frames ({args.minutes:g} min, {args.size} px, {args.fps:g} fps) "
              f"in {time.perf_counter() - start:.1f} s: {path.stat().st_size / 1e6:.1f} MB on "
              f"disk, {n_frames * args.size ** 2 * 3 / 1e9:.2f} GB decoded")
        results = {}
        for mode in ("iter_frames", "pyav-decode-all", "read_frames"):
            out = subprocess.run([sys.executable, __file__, "--measure", mode, str(path)],
                                 check=True, capture_output=True, text=True)
            results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
            r = results[mode]
            print(f"{mode:>16}: peak RSS {r['peak_rss'] / 1e9:6.3f} GB, {r['seconds']:6.1f} s, "
                  f"{r['frames']} frames")
    checksums = {r["checksum"] for r in results.values()}
    assert len(checksums) == 1, f"the readers disagree: {results}"
    ours, peer = results["iter_frames"]["peak_rss"], results["pyav-decode-all"]["peak_rss"]
    print(f"peak RSS ratio pyav-decode-all / iter_frames: {peer / ours:.1f}x")
    print(f"iter_frames peak {ours / 1e9:.3f} GB "
          f"{'<' if ours < LIMIT_BYTES else '>='} limit {LIMIT_BYTES / 1e9:.1f} GB")
    return 0 if ours < LIMIT_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
