"""Rules that choose which layers of a library model are recorded, family by family.

The rules name modules, so every model gets the same kind of layers: the end of each stage of
a convolutional hierarchy (where the resolution is about to shrink), blocks at the quarters of
a transformer's depth, and the last pooled or normalised representation. They are documented
in docs/model_zoo.md; ``layers=[...]`` overrides them for any model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

__all__ = ["quarter_indices", "quarters", "first_present", "stage_ends", "distinct"]


def quarter_indices(n: int) -> list[int]:
    """Block indices at the quarters of a depth of ``n``: ``[n/4, n/2, 3n/4, n] - 1``."""
    if n <= 4:
        return list(range(n))
    return sorted({max(0, (k * n) // 4 - 1) for k in (1, 2, 3, 4)})


def quarters(names: Sequence[str]) -> list[str]:
    """The names of the blocks at the quarters of a sequence of blocks."""
    return [names[i] for i in quarter_indices(len(names))]


def first_present(module: torch.nn.Module, candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` that is a sub-module of ``module`` and not an Identity."""
    import torch

    named = dict(module.named_modules())
    for name in candidates:
        found = named.get(name)
        if found is not None and not isinstance(found, torch.nn.Identity):
            return name
    return None


def distinct(names: Sequence[str | None]) -> tuple[str, ...]:
    """``names`` without ``None`` and repeats, in order."""
    return tuple(dict.fromkeys(name for name in names if name))


def stage_ends(module: torch.nn.Module, candidates: Sequence[str], example: Any) -> list[str]:
    """The candidates whose output is the last at its resolution (the end of each stage).

    ``candidates`` are sub-modules that run one after the other (e.g. the children of a
    ``features`` sequence); a meta-device forward pass of ``example`` (shapes only, no compute)
    gives each output's spatial size, and a candidate ends a stage when the next one's output
    is smaller. The last candidate always ends a stage.
    """
    import torch

    sizes: dict[str, int] = {}
    handles = []
    named = dict(module.named_modules())

    def spatial(output: Any) -> int:
        while isinstance(output, (tuple, list)):
            output = output[0]
        shape = tuple(output.shape[1:])
        if len(shape) >= 3:  # square frames: (C, [T,] H, W) or channels last ([T,] H, W, C)
            shape = shape[1:] if shape[-1] == shape[-2] or shape[-2] != shape[-3] else shape[:-1]
        size = 1
        for dim in shape:
            size *= int(dim)
        return size

    def record(name: str) -> Any:
        def hook(_module: Any, _inputs: Any, output: Any) -> None:  # None: output unchanged
            sizes.setdefault(name, spatial(output))

        return hook

    for name in candidates:
        handles.append(named[name].register_forward_hook(record(name)))
    try:
        with torch.no_grad():
            module(example)
    finally:
        for handle in handles:
            handle.remove()
    ran = [name for name in candidates if name in sizes]
    return [name for name, after in zip(ran, ran[1:] + [None])
            if after is None or sizes[after] < sizes[name]]
