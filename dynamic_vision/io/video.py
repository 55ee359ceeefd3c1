"""Decoding and writing of stimulus media with PyAV: whole clips, streaming, fps resampling.

Every stimulus is a clip: a video is decoded once, frame by frame, and an image is a one-frame
clip. Resampling to a model's frame rate follows presentation timestamps: the frame shown at time
``t`` is the latest source frame whose timestamp is ``<= t``. Timestamps are measured from the
first decoded frame, so a stream whose first frame carries an offset still starts at 0 ms.

Files written by :func:`write_video` are lossless and byte-for-byte reproducible: ``.mkv`` holds
FFV1 (RGB, level 3, slice CRCs), ``.mp4`` holds x264 in RGB with ``qp=0``. Both use one encoder
thread and bit-exact muxing, so the same frames always give the same bytes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dynamic_vision.core.storage import atomic_write
from dynamic_vision.core.errors import MediaError

__all__ = [
    "MediaError",
    "MediaInfo",
    "IMAGE_SUFFIXES",
    "VIDEO_SUFFIXES",
    "RESIZE_MODES",
    "is_image_path",
    "probe",
    "read_frames",
    "iter_frames",
    "write_video",
    "resize_frame",
]

#: File suffixes decoded as still images (through Pillow); everything else goes through FFmpeg.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm",
                            ".pgm"})
#: Suffixes :func:`write_video` can write, with (codec, pixel format, codec options, container).
_WRITERS: dict[str, tuple[str, str, dict[str, str], str]] = {
    ".mkv": ("ffv1", "bgr0", {"level": "3", "slicecrc": "1", "threads": "1"}, "matroska"),
    ".mp4": ("libx264rgb", "rgb24", {"qp": "0", "preset": "medium", "threads": "1"}, "mp4"),
}
VIDEO_SUFFIXES = frozenset(_WRITERS)
RESIZE_MODES = ("resize", "center_crop", "pad")


@dataclass(frozen=True)
class MediaInfo:
    """What :func:`probe` learns from a file's header without decoding the whole of it.

    Attributes
    ----------
    fps
        Average frame rate (NaN for images).
    n_frames
        Number of frames (1 for images); estimated from the duration when the container does
        not store a count (Matroska).
    duration_ms
        Duration in milliseconds (NaN for images: their presentation time is the stimulus set's
        business, not the file's).
    width, height
        Frame size in pixels.
    is_image
        True for still images.
    """

    fps: float
    n_frames: int
    duration_ms: float
    width: int
    height: int
    is_image: bool


def is_image_path(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names a still image (by suffix)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def _check_exists(path: Path, stimulus_id: str | None) -> None:
    if not path.is_file():
        reason = "it is a directory, not a file" if path.is_dir() else "the file does not exist"
        raise MediaError(reason, path=path, stimulus_id=stimulus_id)


def _open_image(path: Path, stimulus_id: str | None) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(path)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise MediaError(f"not a readable image ({error})", path=path,
                         stimulus_id=stimulus_id) from error
    return image


def _open_video(path: Path, stimulus_id: str | None) -> Any:
    import av

    try:
        container = av.open(str(path), "r")
    except (av.FFmpegError, OSError) as error:
        raise MediaError(f"FFmpeg cannot open it ({error})", path=path,
                         stimulus_id=stimulus_id) from error
    if not container.streams.video:
        container.close()
        raise MediaError("it has no video stream", path=path, stimulus_id=stimulus_id)
    return container


def _stream_facts(container: Any) -> tuple[float, int, float, bool]:
    """(fps, n_frames, duration_ms, counted) from a container's headers.

    Unknown values are NaN or 0; ``counted`` says whether the container stores a true frame
    count (MP4 does, Matroska does not: there it is estimated from the duration).
    """
    stream = container.streams.video[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else math.nan
    if stream.duration is not None and stream.time_base is not None:
        duration_ms = float(stream.duration * stream.time_base) * 1000.0
    elif container.duration is not None:
        duration_ms = container.duration / 1000.0  # microseconds
    else:
        duration_ms = math.nan
    n_frames = int(stream.frames or 0)
    counted = n_frames > 0
    if not counted and math.isfinite(duration_ms) and math.isfinite(fps):
        n_frames = int(round(duration_ms * fps / 1000.0))
    if n_frames > 0 and math.isfinite(fps):
        exact_ms = n_frames * 1000.0 / fps
        # Containers round the duration to their time base (1 ms in Matroska); a constant-rate
        # stream's true duration is frames / fps.
        tick_ms = float(stream.time_base) * 1000.0 if stream.time_base else 0.0
        if not math.isfinite(duration_ms) or abs(exact_ms - duration_ms) <= tick_ms + 1e-6:
            duration_ms = exact_ms
    return fps, n_frames, duration_ms, counted


def probe(path: str | os.PathLike[str], *, stimulus_id: str | None = None) -> MediaInfo:
    """Frame rate, frame count, duration and size of an image or video file.

    The container's headers are read and the first frame is decoded, so a file that is not
    media at all fails here; a video truncated further on fails when it is decoded.

    Raises
    ------
    MediaError
        The file is missing, not media, or has no video stream.
    """
    path = Path(path)
    _check_exists(path, stimulus_id)
    if is_image_path(path):
        with _open_image(path, stimulus_id) as image:
            return MediaInfo(math.nan, 1, math.nan, image.width, image.height, True)
    import av

    with _open_video(path, stimulus_id) as container:
        stream = container.streams.video[0]
        fps, n_frames, duration_ms, _ = _stream_facts(container)
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as error:
            raise MediaError(f"its first frame cannot be decoded ({error})", path=path,
                             stimulus_id=stimulus_id) from error
        if first is None:
            raise MediaError("it holds no decodable frame", path=path, stimulus_id=stimulus_id)
        if n_frames <= 0:
            raise MediaError("its frame count and duration are unknown", path=path,
                             stimulus_id=stimulus_id)
        return MediaInfo(fps, n_frames, duration_ms, first.width, first.height, False)


def _target_size(size: int | tuple[int, int] | None) -> tuple[int, int] | None:
    if size is None:
        return None
    height, width = (size, size) if isinstance(size, (int, np.integer)) else size
    if int(height) <= 0 or int(width) <= 0:
        raise ValueError(f"size must be positive, got {size!r}")
    return int(height), int(width)


def resize_frame(frame: Any, size: int | tuple[int, int] | None, mode: str = "resize"
                 ) -> np.ndarray:
    """An RGB ``(H, W, 3)`` uint8 array of ``frame`` brought to ``size`` = (height, width).

    Parameters
    ----------
    frame
        An ``av.VideoFrame`` or an ``(H, W, 3)`` uint8 array.
    size
        Target (height, width); an int means a square. ``None`` keeps the frame's size.
    mode
        ``"resize"`` stretches to the target; ``"center_crop"`` scales so the frame covers the
        target, then crops the centre; ``"pad"`` scales so the frame fits inside the target and
        pads with black, centred.
    """
    import av

    if mode not in RESIZE_MODES:
        raise ValueError(f"resize must be one of {RESIZE_MODES}, got {mode!r}")
    if isinstance(frame, np.ndarray):
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
    target = _target_size(size)
    if target is None or (frame.height, frame.width) == target:
        return frame.to_ndarray(format="rgb24")
    height, width = target
    if mode == "resize":
        return frame.to_ndarray(width=width, height=height, format="rgb24",
                                interpolation="BILINEAR")
    scale_of = max if mode == "center_crop" else min
    scale = scale_of(height / frame.height, width / frame.width)
    scaled_h = max(1, int(round(frame.height * scale)))
    scaled_w = max(1, int(round(frame.width * scale)))
    if mode == "center_crop":
        scaled_h, scaled_w = max(scaled_h, height), max(scaled_w, width)
    else:
        scaled_h, scaled_w = min(scaled_h, height), min(scaled_w, width)
    scaled = frame.to_ndarray(width=scaled_w, height=scaled_h, format="rgb24",
                              interpolation="BILINEAR")
    top, left = abs(scaled_h - height) // 2, abs(scaled_w - width) // 2
    if mode == "center_crop":
        return np.ascontiguousarray(scaled[top:top + height, left:left + width])
    out = np.zeros((height, width, 3), dtype=np.uint8)
    out[top:top + scaled_h, left:left + scaled_w] = scaled
    return out


def _decoded_frames(path: Path, stimulus_id: str | None
                    ) -> Iterator[tuple[Any, float, float, float]]:
    """Yield ``(frame, time_ms, next_time_ms, tolerance_ms)`` for every frame of a video.

    ``next_time_ms`` is the next frame's time, or the stream's end for the last frame, so each
    frame knows the interval during which it is on screen. One frame of look-ahead is held.
    """
    import av

    with _open_video(path, stimulus_id) as container:
        stream = container.streams.video[0]
        fps, n_frames, duration_ms, counted = _stream_facts(container)
        # Timestamps are quantised to the stream's time base (1 ms in Matroska): a frame is
        # due up to one tick early.
        tolerance_ms = float(stream.time_base) * 1000.0 if stream.time_base else 1e-6
        fallback_step = 1000.0 / fps if math.isfinite(fps) and fps > 0 else math.nan
        origin: float | None = None
        previous: tuple[Any, float] | None = None
        decoded = 0
        longest_gap_ms = 0.0
        try:
            for frame in container.decode(stream):
                if frame.is_corrupt:  # concealed damage (e.g. H.264): refuse, do not guess
                    raise MediaError(f"frame {decoded} is corrupt (the decoder concealed "
                                     f"damaged data); re-encode or replace the file",
                                     path=path, stimulus_id=stimulus_id)
                raw = frame.time
                if raw is None:
                    raw = decoded * fallback_step / 1000.0
                if origin is None:
                    origin = raw
                time_ms = (raw - origin) * 1000.0
                if previous is not None:
                    longest_gap_ms = max(longest_gap_ms, time_ms - previous[1])
                    yield previous[0], previous[1], time_ms, tolerance_ms
                previous = (frame, time_ms)
                decoded += 1
        except av.FFmpegError as error:
            raise MediaError(f"decoding failed after {decoded} frames ({error}); the file is "
                             f"corrupt or truncated", path=path,
                             stimulus_id=stimulus_id) from error
        if previous is None:
            raise MediaError("it holds no decodable frame", path=path, stimulus_id=stimulus_id)
        # Fewer frames than the header counted, or a last frame long before the declared end,
        # means the file was cut off.
        step_ms = max(longest_gap_ms, fallback_step if math.isfinite(fallback_step) else 0.0)
        if (counted and decoded < n_frames) or (
                not counted and math.isfinite(duration_ms) and step_ms > 0
                and duration_ms - previous[1] > 2 * step_ms + tolerance_ms):
            expected = f"{n_frames} frames" if counted else f"{duration_ms:.0f} ms"
            raise MediaError(f"decoding stopped at frame {decoded} "
                             f"({previous[1]:.0f} ms) of {expected}; the file is truncated",
                             path=path, stimulus_id=stimulus_id)
        last_step = fallback_step if math.isfinite(fallback_step) else 0.0
        end_ms = previous[1] + last_step
        if math.isfinite(duration_ms) and duration_ms > previous[1]:
            end_ms = duration_ms
        yield previous[0], previous[1], end_ms, tolerance_ms


def _frames(path: str | os.PathLike[str], fps: float | None, size: Any, resize: str,
            start_ms: float | None, end_ms: float | None, stimulus_id: str | None
            ) -> Iterator[np.ndarray]:
    """Yield output frames one by one; a source frame shown several times is the same array."""
    path = Path(path)
    if fps is not None and not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    if resize not in RESIZE_MODES:
        raise ValueError(f"resize must be one of {RESIZE_MODES}, got {resize!r}")
    _target_size(size)  # validate early, before any decoding
    _check_exists(path, stimulus_id)
    if is_image_path(path):
        with _open_image(path, stimulus_id) as image:
            yield resize_frame(np.asarray(image.convert("RGB")), size, resize)
        return
    start = 0.0 if start_ms is None else float(start_ms)
    stop = math.inf if end_ms is None else float(end_ms)
    if stop <= start:
        raise ValueError(f"end_ms ({end_ms}) must be after start_ms ({start_ms})")
    next_index = 0  # index into the output times, which are generated on the fly
    step = None if fps is None else 1000.0 / fps
    for frame, time_ms, next_ms, tolerance in _decoded_frames(path, stimulus_id):
        if step is None:  # native frame rate: every frame inside [start, stop)
            if time_ms >= stop - tolerance:
                return
            if time_ms >= start - tolerance:
                yield resize_frame(frame, size, resize)
            continue
        # This frame is on screen for output times t_k with time_ms <= t_k + tol < next_ms;
        # earlier outputs were served by earlier frames, so only the upper bound matters.
        interval_end = min(next_ms, stop)
        last = int(math.ceil((interval_end - tolerance - start) / step))
        if last <= next_index:
            continue
        array = resize_frame(frame, size, resize)
        for _ in range(last - next_index):
            yield array
        next_index = last
        if start + next_index * step >= stop - tolerance:
            return


def read_frames(path: str | os.PathLike[str], fps: float | None = None,
                size: int | tuple[int, int] | None = None, resize: str = "resize",
                start_ms: float | None = None, end_ms: float | None = None, *,
                stimulus_id: str | None = None) -> np.ndarray:
    """Decode a clip into a ``(T, H, W, 3)`` uint8 array, resampled and resized.

    Parameters
    ----------
    path
        Video or image file. An image gives one frame (``T == 1``) whatever ``fps`` is: it is
        a one-frame clip, and the caller broadcasts it over its presentation time.
    fps
        Output frame rate. ``None`` keeps the source frames. Otherwise the frame at time ``t``
        is the latest source frame whose timestamp is ``<= t``, for ``t = start + k / fps``
        before the clip's end.
    size
        Output (height, width), or an int for a square; ``None`` keeps the source size.
    resize
        ``"resize"``, ``"center_crop"`` or ``"pad"`` (see :func:`resize_frame`).
    start_ms, end_ms
        Time window in milliseconds from the first frame (end exclusive).
    stimulus_id
        Named in errors when given.

    Raises
    ------
    MediaError
        Missing, corrupt or truncated file.
    """
    # Frames go straight into one array sized from the header (grown if the header was
    # short), so the peak is one copy of the clip rather than a list plus its stack.
    buffer: np.ndarray | None = None
    count = 0
    for frame in _frames(path, fps, size, resize, start_ms, end_ms, stimulus_id):
        if buffer is None:
            expected = _expected_count(Path(path), fps, start_ms, end_ms)
            buffer = np.empty((max(expected, 1), *frame.shape), dtype=np.uint8)
        elif count == len(buffer):
            buffer = np.concatenate([buffer, np.empty_like(buffer[: max(len(buffer) // 2, 1)])])
        buffer[count] = frame
        count += 1
    if buffer is None:
        raise MediaError(f"no frame falls in the window [{start_ms}, {end_ms}) ms", path=path,
                         stimulus_id=stimulus_id)
    return buffer[:count]


def _expected_count(path: Path, fps: float | None, start_ms: float | None,
                    end_ms: float | None) -> int:
    """How many frames :func:`read_frames` should give, from the headers (+1 for rounding)."""
    if is_image_path(path):
        return 1
    try:
        with _open_video(path, None) as container:
            source_fps, n_frames, duration_ms, _ = _stream_facts(container)
    except MediaError:
        return 1
    start = 0.0 if start_ms is None else max(float(start_ms), 0.0)
    end = duration_ms if end_ms is None else min(float(end_ms), duration_ms)
    if not (math.isfinite(end) and end > start):
        return max(n_frames, 1)
    rate = source_fps if fps is None else fps
    if not (math.isfinite(rate) and rate > 0):
        return max(n_frames, 1)
    return int(math.ceil((end - start) * rate / 1000.0)) + 1


def iter_frames(path: str | os.PathLike[str], fps: float | None = None,
                size: int | tuple[int, int] | None = None, resize: str = "resize",
                chunk_frames: int = 64, *, start_ms: float | None = None,
                end_ms: float | None = None, stimulus_id: str | None = None
                ) -> Iterator[np.ndarray]:
    """Stream a clip as ``(t, H, W, 3)`` uint8 chunks of at most ``chunk_frames`` frames.

    Same frames as :func:`read_frames` (concatenating the chunks gives its result), but only
    one chunk and one decoded frame are held at a time, so memory does not grow with the
    length of the movie.
    """
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames}")
    buffer: np.ndarray | None = None
    filled = 0
    for frame in _frames(path, fps, size, resize, start_ms, end_ms, stimulus_id):
        if buffer is None:
            buffer = np.empty((chunk_frames, *frame.shape), dtype=np.uint8)
        buffer[filled] = frame
        filled += 1
        if filled == chunk_frames:
            yield buffer
            buffer, filled = None, 0  # the consumer may keep the chunk: never overwrite it
    if buffer is not None and filled:
        yield buffer[:filled]


def _frame_batches(frames: np.ndarray | Iterable[np.ndarray], path: Path
                   ) -> Iterator[np.ndarray]:
    """``(t, H, W, 3)`` uint8 batches from an array or an iterable of frames or chunks."""
    batches = [frames] if isinstance(frames, np.ndarray) else frames
    for batch in batches:
        batch = np.asarray(batch)
        if batch.ndim == 3:
            batch = batch[None]
        if batch.ndim != 4 or batch.shape[-1] != 3 or batch.dtype != np.uint8:
            raise ValueError(f"frames for {path} must be (T, H, W, 3) uint8 arrays (or an "
                             f"iterable of (H, W, 3) frames or such chunks), got shape "
                             f"{batch.shape} and dtype {batch.dtype}")
        yield batch


def write_video(path: str | os.PathLike[str], frames: np.ndarray | Iterable[np.ndarray],
                fps: float) -> Path:
    """Write uint8 RGB frames to a lossless, reproducible video file, atomically.

    ``.mkv`` gives FFV1 and ``.mp4`` gives lossless x264 (RGB). Decoding the file gives back
    exactly ``frames``, and writing the same frames twice gives identical bytes.

    Parameters
    ----------
    path
        Destination; its suffix picks the format.
    frames
        A ``(T, H, W, 3)`` uint8 array, or an iterable of ``(H, W, 3)`` frames or
        ``(t, H, W, 3)`` chunks, so long movies can be written without holding them.
    fps
        Frame rate.

    Returns
    -------
    Path
        ``path``.
    """
    import av

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITERS:
        raise ValueError(f"Cannot write {path}: use one of the lossless formats "
                         f"{sorted(_WRITERS)}.")
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive number, got {fps!r}")
    codec, pixel_format, options, container_format = _WRITERS[suffix]
    from fractions import Fraction

    rate = Fraction(fps).limit_denominator(1001)
    written = 0
    with atomic_write(path) as handle:
        with av.open(handle, "w", format=container_format,
                     options={"fflags": "+bitexact"}) as container:
            stream = None
            for batch in _frame_batches(frames, path):
                if stream is None:
                    stream = container.add_stream(codec, rate=rate, options=dict(options))
                    stream.height, stream.width = batch.shape[1], batch.shape[2]
                    stream.pix_fmt = pixel_format
                    stream.thread_count = 1
                    stream.codec_context.flags |= av.codec.context.Flags.bitexact
                elif batch.shape[1:3] != (stream.height, stream.width):
                    raise ValueError(f"frames for {path} change size from "
                                     f"{(stream.height, stream.width)} to {batch.shape[1:3]}")
                for array in batch:
                    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(array),
                                                       format="rgb24")
                    container.mux(stream.encode(frame))
                    written += 1
            if stream is None or not written:
                raise ValueError(f"No frames to write to {path}.")
            container.mux(stream.encode())
    return path
