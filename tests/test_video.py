"""Decoding, resampling, resizing, streaming and lossless writing of stimulus media."""

from __future__ import annotations

import tracemalloc
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from dynamic_vision.io import video
from dynamic_vision.io.video import MediaError


def moving_frames(n: int, height: int = 24, width: int = 32, seed: int = 0) -> np.ndarray:
    """Distinct frames (each frame index is readable from its pixels)."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (n, height, width, 3), dtype=np.uint8)
    frames[:, 0, 0, 0] = np.arange(n) % 256
    return frames


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
def test_write_is_lossless_and_reproducible(tmp_path, suffix):
    frames = moving_frames(12)
    first = video.write_video(tmp_path / f"a{suffix}", frames, fps=30)
    second = video.write_video(tmp_path / f"b{suffix}", frames, fps=30)
    assert first.read_bytes() == second.read_bytes()
    np.testing.assert_array_equal(video.read_frames(first), frames)
    info = video.probe(first)
    assert (info.fps, info.n_frames, info.width, info.height, info.is_image) == (30, 12, 32, 24,
                                                                              False)
    assert info.duration_ms == pytest.approx(400.0)
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic writer left no temporary file


def test_write_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="lossless formats"):
        video.write_video(tmp_path / "a.avi", moving_frames(2), fps=10)
    with pytest.raises(ValueError, match="uint8"):
        video.write_video(tmp_path / "a.mkv", moving_frames(2).astype(float), fps=10)
    with pytest.raises(ValueError, match="No frames"):
        video.write_video(tmp_path / "a.mkv", np.zeros((0, 8, 8, 3), np.uint8), fps=10)
    with pytest.raises(ValueError, match="change size"):
        video.write_video(tmp_path / "a.mkv", [moving_frames(2), moving_frames(2, 8, 8)], 10)
    assert not list(tmp_path.iterdir())


def test_write_from_an_iterable_of_frames_and_chunks(tmp_path):
    frames = moving_frames(9)
    whole = video.write_video(tmp_path / "whole.mkv", frames, fps=15)
    pieces = video.write_video(tmp_path / "pieces.mkv",
                               iter([frames[0], frames[1:5], frames[5], frames[6:]]), fps=15)
    assert whole.read_bytes() == pieces.read_bytes()


@pytest.mark.parametrize("suffix", [".mkv", ".mp4"])
@pytest.mark.parametrize("target_fps", [30, 60, 12, 7.5, 24])
def test_resampling_matches_the_frame_on_screen(tmp_path, suffix, target_fps):
    source_fps, n = 30, 24
    frames = moving_frames(n)
    path = video.write_video(tmp_path / f"clip{suffix}", frames, fps=source_fps)
    out = video.read_frames(path, fps=target_fps)
    # Independent reference with exact rationals: output k at k/target is source frame
    # floor(k * source / target), for every output time before the clip's end n/source.
    step = Fraction(source_fps) / Fraction(target_fps)
    expected = []
    k = 0
    while k * Fraction(1, 1) / Fraction(target_fps) < Fraction(n, source_fps):
        expected.append(int(k * step))
        k += 1
    np.testing.assert_array_equal(out, frames[expected])


def test_time_window(tmp_path):
    frames = moving_frames(30)
    path = video.write_video(tmp_path / "clip.mkv", frames, fps=30)
    np.testing.assert_array_equal(video.read_frames(path, fps=10, start_ms=100, end_ms=500),
                                  frames[[3, 6, 9, 12]])
    np.testing.assert_array_equal(video.read_frames(path, start_ms=500, end_ms=600),
                                  frames[15:18])


def test_variable_frame_rate_follows_timestamps(tmp_path):
    """Frames at irregular times: the frame shown at t is the latest with pts <= t."""
    frames = moving_frames(5)
    pts_ms = [0, 10, 50, 55, 120]
    path = tmp_path / "vfr.mkv"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=100)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "bgr0"
        stream.codec_context.time_base = Fraction(1, 1000)
        for array, pts in zip(frames, pts_ms):
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    out = video.read_frames(path, fps=50, end_ms=140)  # t = 0, 20, ..., 120
    times = np.arange(0, 140, 20)
    expected = [max(i for i, p in enumerate(pts_ms) if p <= t) for t in times]
    np.testing.assert_array_equal(out, frames[expected])


def test_resize_modes(tmp_path):
    white = np.full((1, 20, 40, 3), 255, dtype=np.uint8)
    path = video.write_video(tmp_path / "wide.mkv", white, fps=10)
    padded = video.read_frames(path, size=20, resize="pad")[0]
    assert padded.shape == (20, 20, 3)
    assert (padded[:5] == 0).all() and (padded[-5:] == 0).all() and (padded[5:15] == 255).all()
    cropped = video.read_frames(path, size=(10, 10), resize="center_crop")[0]
    assert cropped.shape == (10, 10, 3) and (cropped == 255).all()
    stretched = video.read_frames(path, size=(8, 12))[0]
    assert stretched.shape == (8, 12, 3) and (stretched == 255).all()
    gradient = np.broadcast_to(np.arange(40, dtype=np.uint8)[None, :, None] * 6,
                               (1, 20, 40, 3)).copy()
    path = video.write_video(tmp_path / "gradient.mkv", gradient, fps=10)
    cropped = video.read_frames(path, size=20, resize="center_crop")[0]
    # Same scale, so the crop is the source's middle 20 columns.
    np.testing.assert_array_equal(cropped, gradient[0, :, 10:30])
    with pytest.raises(ValueError, match="resize must be one of"):
        video.read_frames(path, size=20, resize="squash")


def test_image_is_a_one_frame_clip(tmp_path):
    array = moving_frames(1, 16, 20)[0]
    Image.fromarray(array).save(tmp_path / "still.png")
    info = video.probe(tmp_path / "still.png")
    assert info.is_image and info.n_frames == 1 and np.isnan(info.fps)
    out = video.read_frames(tmp_path / "still.png", fps=30)
    np.testing.assert_array_equal(out, array[None])
    assert video.read_frames(tmp_path / "still.png", size=8).shape == (1, 8, 8, 3)


def test_iter_frames_chunks_equal_read_frames(tmp_path):
    frames = moving_frames(23)
    path = video.write_video(tmp_path / "clip.mkv", frames, fps=25)
    chunks = list(video.iter_frames(path, fps=50, chunk_frames=10))
    assert [len(c) for c in chunks] == [10, 10, 10, 10, 6]
    np.testing.assert_array_equal(np.concatenate(chunks), video.read_frames(path, fps=50))
    assert chunks[0] is not chunks[1] and not np.shares_memory(chunks[0], chunks[1])


def test_streaming_memory_stays_bounded(tmp_path):
    """A 20 s clip streams in chunks: memory stays near one chunk, not the movie.

    Resident memory (psutil, native decoder buffers included) is sampled at every chunk, and
    Python-level allocations (numpy included) are traced in a second pass.
    """
    psutil = pytest.importorskip("psutil")
    n, size, chunk_frames = 600, 128, 16  # 20 s at 30 fps
    ramp = np.arange(size, dtype=np.uint8)

    def movie():  # generated lazily, so the test itself never holds the whole movie
        for i in range(n):
            frame = np.empty((size, size, 3), dtype=np.uint8)
            frame[...] = ramp[None, :, None] + ramp[:, None, None] + np.uint8(i % 256)
            frame[40:80, (3 * i) % 80:(3 * i) % 80 + 40] = 255
            yield frame

    path = video.write_video(tmp_path / "long.mkv", movie(), fps=30)
    movie_bytes = n * size * size * 3
    chunk_bytes = chunk_frames * size * size * 3

    process = psutil.Process()
    before = process.memory_info().rss
    peak, total = before, 0
    for chunk in video.iter_frames(path, chunk_frames=chunk_frames):
        total += len(chunk)
        peak = max(peak, process.memory_info().rss)
    assert total == n
    assert peak - before < movie_bytes / 3, (peak - before, movie_bytes)

    tracemalloc.start()
    try:
        for chunk in video.iter_frames(path, chunk_frames=chunk_frames):
            pass
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert traced_peak < 4 * chunk_bytes + 1_000_000, (traced_peak, chunk_bytes)


def test_corrupt_and_truncated_files_name_the_path(tmp_path):
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(MediaError) as info:
        video.probe(garbage, stimulus_id="s1")
    assert info.value.path == garbage and info.value.stimulus_id == "s1"
    assert "s1" in str(info.value) and str(garbage) in str(info.value)

    frames = moving_frames(40, 48, 64)
    whole = video.write_video(tmp_path / "whole.mkv", frames, fps=30)
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaError, match="truncated") as info:
        video.read_frames(cut, stimulus_id="half")
    assert "half" in str(info.value) and str(cut) in str(info.value)
    for suffix in (".mkv", ".mp4"):  # damaged bytes mid-file, not just cut off
        whole = video.write_video(tmp_path / f"whole{suffix}", frames, fps=30)
        data = bytearray(whole.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 2000] = bytes(b ^ 0x55 for b in data[middle:middle + 2000])
        damaged = tmp_path / f"damaged{suffix}"
        damaged.write_bytes(bytes(data))
        with pytest.raises(MediaError, match="corrupt") as info:
            video.read_frames(damaged, stimulus_id="hit")
        assert "hit" in str(info.value) and str(damaged) in str(info.value)
    with pytest.raises(MediaError, match="does not exist"):
        video.read_frames(tmp_path / "absent.mkv")


def test_read_frames_grows_past_a_short_header_estimate(tmp_path, monkeypatch):
    frames = moving_frames(11)
    path = video.write_video(tmp_path / "clip.mkv", frames, fps=30)
    monkeypatch.setattr(video, "_expected_count", lambda *args: 2)
    np.testing.assert_array_equal(video.read_frames(path), frames)
    np.testing.assert_array_equal(video.read_frames(path, fps=60), np.repeat(frames, 2, 0))
