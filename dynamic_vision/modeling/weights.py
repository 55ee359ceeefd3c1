"""Pretrained weights: where they live, how they are fetched and verified, how they are loaded.

A model declares its weights by name, with a scheme that says who publishes them:

- ``"torchvision:R3D_18_Weights.KINETICS400_V1"`` — a torchvision weights enum. The file lives in
  torch.hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints``) under torchvision's file name,
  whose ``-<hex>.`` part is a prefix of the file's sha256 and is checked.
- ``"timm:deit_small_patch16_224.fb_in1k"`` — a timm pretrained tag, stored in the Hugging Face
  hub cache (``$HF_HUB_CACHE``).
- ``"hf:<organisation>/<repository>/<file>"`` — any file of a Hugging Face hub model
  repository, stored in the hub cache (timm models published outside the ``timm`` organisation).
- ``"https://host/path/name-<sha256 prefix>.pth"`` — any URL; stored like torchvision's files.

Weights that cannot be found raise :class:`WeightsNotFoundError`, which says where they were
looked for and how to provide them; nothing ever falls back to random weights. Offline machines
fail at once: ``DYNAMIC_VISION_OFFLINE=1`` (and, for the Hugging Face hub, ``HF_HUB_OFFLINE=1``)
skip the network, and a host that cannot be reached within a few seconds counts as offline.
Files read from disk are loaded with ``torch.load(weights_only=True)`` or safetensors.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynamic_vision.core.storage import sha256_file
from dynamic_vision.core.errors import WeightsNotFoundError, WeightsVerificationError

if TYPE_CHECKING:
    import torch

__all__ = [
    "OFFLINE_VARIABLE",
    "WeightsSource",
    "WeightsNotFoundError",
    "WeightsVerificationError",
    "offline",
    "checkpoint_dir",
    "hash_prefix",
    "weights_source",
    "fetch_weights",
    "load_state_dict",
    "load_weights",
    "host_unreachable",
    "hub_cache_dir",
]

OFFLINE_VARIABLE = "DYNAMIC_VISION_OFFLINE"
#: Seconds allowed for resolving and connecting to a weights host before it counts as offline.
CONNECT_TIMEOUT_S = 3.0
_HASH_IN_NAME = re.compile(r"-([a-f0-9]{6,64})\.")
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class WeightsSource:
    """Where one set of pretrained weights comes from and where it is kept.

    Attributes
    ----------
    name
        The declared name, e.g. ``"torchvision:R3D_18_Weights.KINETICS400_V1"``.
    url
        Where the file is downloaded from.
    path
        Where the file is (or will be) on disk.
    sha256
        The file's sha256 hex digest, or a prefix of it; ``None`` when the publisher gives none.
    provider
        ``"torchvision"``, ``"timm"``, ``"hf"`` or ``"url"``.
    """

    name: str
    url: str
    path: Path
    sha256: str | None
    provider: str

    @property
    def offline_variables(self) -> tuple[str, ...]:
        """Environment variables that forbid downloading these weights."""
        return (OFFLINE_VARIABLE, "HF_HUB_OFFLINE") if self.provider in ("timm", "hf") \
            else (OFFLINE_VARIABLE,)


def offline(variables: tuple[str, ...] = (OFFLINE_VARIABLE,)) -> bool:
    """True when any of ``variables`` is set to a true value (1, true, yes, on)."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE for v in variables)


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache: ``$HF_HUB_CACHE`` as set now, else huggingface_hub's
    default (``$HF_HOME/hub``)."""
    import huggingface_hub

    return Path(os.environ.get("HF_HUB_CACHE") or huggingface_hub.constants.HF_HUB_CACHE)


def checkpoint_dir() -> Path:
    """torch.hub's checkpoint folder (honours ``TORCH_HOME`` and ``torch.hub.set_dir``)."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


def hash_prefix(filename: str) -> str | None:
    """The sha256 prefix in a file name such as ``r3d_18-b3b3357e.pth`` (torch.hub's rule)."""
    match = _HASH_IN_NAME.search(filename)
    return match.group(1) if match else None


# -- naming --------------------------------------------------------------------------------------
def weights_source(name: str) -> WeightsSource:
    """Resolve a declared weights name to its URL, local path and expected hash.

    Parameters
    ----------
    name
        ``"torchvision:<Enum>.<member>"``, ``"timm:<architecture>.<tag>"`` or an http(s) URL.
    """
    scheme, _, rest = name.partition(":")
    if scheme in ("http", "https"):
        return _url_source(name, name)
    if scheme == "torchvision":
        return _torchvision_source(name, rest)
    if scheme == "timm":
        return _timm_source(name, rest)
    if scheme == "hf":
        parts = rest.split("/", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"Hub weights are named 'hf:<organisation>/<repository>/<file>', "
                             f"got {name!r}.")
        return _hub_source(name, f"{parts[0]}/{parts[1]}", parts[2], "hf")
    raise ValueError(f"Unknown weights name {name!r}: use 'torchvision:<Enum>.<member>', "
                     f"'timm:<architecture>.<tag>', 'hf:<organisation>/<repository>/<file>' "
                     f"or an https:// URL.")


def _url_source(name: str, url: str) -> WeightsSource:
    filename = Path(urllib.parse.urlparse(url).path).name
    if not filename:
        raise ValueError(f"Weights URL {url!r} does not end in a file name.")
    return WeightsSource(name, url, checkpoint_dir() / filename, hash_prefix(filename), "url")


def _torchvision_source(name: str, reference: str) -> WeightsSource:
    enum_name, _, member = reference.partition(".")
    try:
        weights = getattr(_enum_owner(enum_name), member)
    except (AttributeError, ValueError) as error:
        raise ValueError(f"Unknown torchvision weights {name!r} ({error}). Names look like "
                         f"'torchvision:R3D_18_Weights.KINETICS400_V1'.") from None
    source = _url_source(name, weights.url)
    return WeightsSource(name, source.url, source.path, source.sha256, "torchvision")


def _enum_owner(enum_name: str) -> Any:
    """The weights enum class called ``enum_name`` (any torchvision models sub-package)."""
    import torchvision.models as models

    for namespace in (models, models.video, models.detection, models.segmentation,
                      models.optical_flow, models.quantization):
        if hasattr(namespace, enum_name):
            return getattr(namespace, enum_name)
    raise ValueError(f"torchvision has no weights enum '{enum_name}'")


def _timm_source(name: str, tag: str) -> WeightsSource:
    """timm keeps its pretrained weights on the Hugging Face hub as ``timm/<architecture>.<tag>``
    with a ``model.safetensors`` file; resolving them needs no timm import."""
    if "." not in tag or "/" in tag:
        raise ValueError(f"timm weights are named 'timm:<architecture>.<pretrained tag>', e.g. "
                         f"'timm:deit_small_patch16_224.fb_in1k'; got {name!r}.")
    return _hub_source(name, f"timm/{tag}", "model.safetensors", "timm")


def _hub_source(name: str, repo_id: str, filename: str, provider: str) -> WeightsSource:
    """A file of a Hugging Face hub model repository, in the hub cache."""
    import huggingface_hub

    revision = "main"
    cache = hub_cache_dir()
    cached = huggingface_hub.try_to_load_from_cache(repo_id, filename, cache_dir=cache,
                                                    revision=revision)
    folder = cache / ("models--" + repo_id.replace("/", "--"))
    path = Path(cached) if isinstance(cached, str) else folder / "snapshots" / "<revision>" / filename
    endpoint = os.environ.get("HF_ENDPOINT", "").rstrip("/") or huggingface_hub.constants.ENDPOINT
    url = f"{endpoint}/{repo_id}/resolve/{revision}/{filename}"
    return WeightsSource(name, url, path, None, provider)


# -- fetching ------------------------------------------------------------------------------------
def fetch_weights(name: str | WeightsSource, *, model: str | None = None,
                  download: bool | None = None, progress: bool = True) -> Path:
    """The local path of verified weights, downloading them when allowed.

    Parameters
    ----------
    name
        A weights name (see :func:`weights_source`) or a resolved :class:`WeightsSource`.
    model
        The model identifier asking, named in errors (with its ``-random`` alternative).
    download
        ``False`` never downloads; ``None`` (default) downloads unless an offline variable is
        set; ``True`` downloads even then.

    Raises
    ------
    WeightsNotFoundError
        The file is not on disk and cannot be downloaded; says where it was looked for.
    WeightsVerificationError
        A downloaded or present file does not match its declared sha256.
    """
    source = weights_source(name) if isinstance(name, str) else name
    if source.path.is_file():
        _verify(source.path, source.sha256, source)
        return source.path
    if download is False or (download is None and offline(source.offline_variables)):
        reason = ("downloads are disabled (" + " or ".join(
            f"{v}=1" for v in source.offline_variables) + ")") if download is None \
            else "download=False was passed"
        raise WeightsNotFoundError(_not_found_message(source, model, reason))
    host_problem = _unreachable(source.url)
    if host_problem:
        raise WeightsNotFoundError(_not_found_message(source, model, host_problem))
    try:
        if source.provider in ("timm", "hf"):
            return _download_from_hub(source)
        _download(source, progress=progress)
    except WeightsVerificationError:
        raise
    except Exception as error:  # HTTP, hub and file-system errors alike mean "not available"
        raise WeightsNotFoundError(_not_found_message(
            source, model, f"the download failed ({type(error).__name__}: {error})")) from error
    return source.path


def _not_found_message(source: WeightsSource, model: str | None, reason: str) -> str:
    who = f"Pretrained weights for model '{model}'" if model else "Pretrained weights"
    lines = [f"{who} ({source.name}) are not available: {reason}.",
             f"  looked for: {source.path}",
             f"  download URL: {source.url}"]
    if source.provider in ("timm", "hf"):
        repo = urllib.parse.urlparse(source.url).path.lstrip("/").split("/resolve/")[0]
        lines.append(f"To provide them: run `huggingface-cli download {repo}` on a machine "
                     f"with network and copy its Hugging Face cache (or point HF_HUB_CACHE at "
                     f"it), or unset HF_HUB_OFFLINE / {OFFLINE_VARIABLE} to download.")
    else:
        lines.append(f"To provide them: download the URL and put the file at the path above "
                     f"(or set TORCH_HOME to a folder whose hub/checkpoints holds it), or unset "
                     f"{OFFLINE_VARIABLE} to download.")
    if model:
        lines.append(f"For the same architecture with random weights use '{_random_name(model)}'.")
    return "\n".join(lines)


def _random_name(model: str) -> str:
    return model if model.endswith("-random") else f"{model}-random"


def _unreachable(url: str, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why ``url``'s host cannot be reached within ``timeout`` seconds, or None if it can.

    Name resolution has no timeout of its own, so it runs in a daemon thread we stop waiting
    for; offline machines thus fail in seconds rather than after minutes of retries.
    """
    parsed = urllib.parse.urlparse(url)
    host = parsed.hostname or ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    result: dict[str, Any] = {}

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result["ok"] = True
        except OSError as error:
            result["error"] = error

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    if result.get("ok"):
        return None
    if "error" in result:
        return f"{host}:{port} cannot be reached ({result['error']})"
    return f"{host}:{port} did not answer within {timeout:.0f} s (no network?)"


def host_unreachable(url: str, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why ``url``'s host cannot be reached within ``timeout`` seconds, or None if it can."""
    return _unreachable(url, timeout)


def _download(source: WeightsSource, *, progress: bool) -> None:
    """Download ``source.url`` beside its final path, verify it, then move it into place.

    An interrupted transfer leaves ``.<name>.download.part``, from which the next call resumes.
    """
    from dynamic_vision.io.download import HashMismatchError, download

    partial = source.path.with_name(f".{source.path.name}.download")
    full_hash = source.sha256 if source.sha256 and len(source.sha256) == 64 else None
    try:
        download(source.url, partial, sha256=full_hash, progress=progress)
        _verify(partial, source.sha256, source)
        os.replace(partial, source.path)
    except HashMismatchError as error:
        raise WeightsVerificationError(f"{error} ({source.name})") from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _download_from_hub(source: WeightsSource) -> Path:
    """Download into the Hugging Face cache (``hf_hub_download``) from the source's endpoint."""
    import huggingface_hub

    parsed = urllib.parse.urlparse(source.url)
    repo_path, _, rest = parsed.path.lstrip("/").partition("/resolve/")
    revision, _, filename = rest.partition("/")
    return Path(huggingface_hub.hf_hub_download(
        repo_path, filename, revision=revision, cache_dir=hub_cache_dir(),
        endpoint=f"{parsed.scheme}://{parsed.netloc}"))


def _verify(path: Path, expected: str | None, source: WeightsSource) -> None:
    if not expected:
        return
    actual = sha256_file(path)
    if not actual.startswith(expected.lower()):
        raise WeightsVerificationError(
            f"Weights file {path} ({source.name}) has sha256 {actual}, but its publisher "
            f"declares one starting with {expected}. The file is corrupt or not the published "
            f"one: delete it and download {source.url} again.")


# -- loading -------------------------------------------------------------------------------------
def load_state_dict(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """Read a state dict from ``.safetensors`` or a torch file, never unpickling code.

    Checkpoints that wrap the weights (``{"state_dict": ...}``, ``{"model": ...}``) are unwrapped.
    """
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path), device="cpu")
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightsVerificationError(
            f"Cannot read weights file {path} as a plain state dict ({type(error).__name__}: "
            f"{error}). Only tensors and builtin containers are accepted; re-save it with "
            f"torch.save(model.state_dict(), path).") from error
    for key in ("state_dict", "model", "model_state"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict):
        raise WeightsVerificationError(f"Weights file {path} holds a {type(state).__name__}, "
                                       f"not a state dict.")
    return state


def load_weights(module: torch.nn.Module, name: str, *, model: str | None = None,
                 strict: bool = True, download: bool | None = None) -> torch.nn.Module:
    """Fetch, verify and load the weights ``name`` into ``module`` (in place); returns it.

    Raises
    ------
    WeightsNotFoundError
        The weights are not available (see :func:`fetch_weights`).
    RuntimeError
        The file does not fit the architecture; the message names the file and the model.
    """
    path = fetch_weights(name, model=model, download=download)
    state = load_state_dict(path)
    try:
        module.load_state_dict(state, strict=strict)
    except RuntimeError as error:
        raise RuntimeError(f"Weights {name} ({path}) do not fit model "
                           f"'{model or type(module).__name__}': {error}") from error
    return module
