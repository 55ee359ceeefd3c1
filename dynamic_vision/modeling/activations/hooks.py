"""Forward hooks on named (dotted) layers of a torch module."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any

import torch

__all__ = ["LayerRecorder", "resolve_layers", "first_tensor"]

#: Called with (layer name, output tensor) every time a recorded layer runs.
OutputCallback = Callable[[str, torch.Tensor], None]


def resolve_layers(module: torch.nn.Module, layers: Sequence[str],
                   identifier: str = "model") -> dict[str, torch.nn.Module]:
    """Map each dotted layer name to its sub-module; unknown names raise a teaching error."""
    named = dict(module.named_modules())
    missing = [name for name in layers if name not in named]
    if missing:
        hints = {name: difflib.get_close_matches(name, list(named), n=3) for name in missing}
        hint_text = "; ".join(f"'{name}' (did you mean {', '.join(map(repr, close))}?)"
                              if close else f"'{name}'" for name, close in hints.items())
        raise KeyError(f"{identifier} has no layer {hint_text}. Layer names are dotted module "
                       f"names as listed by `[name for name, _ in module.named_modules()]`.")
    return {name: named[name] for name in layers}


def first_tensor(output: Any, layer: str) -> torch.Tensor:
    """The tensor a layer produced (the first tensor of a tuple/list output, e.g. RNN cells)."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, (tuple, list)):
        for item in output:
            if isinstance(item, torch.Tensor):
                return item
    raise TypeError(f"Layer '{layer}' returned {type(output).__name__}, not a tensor; record a "
                    f"sub-module that returns a tensor instead.")


class LayerRecorder:
    """Context manager that calls ``callback(layer, output)`` whenever a recorded layer runs.

    The callback sees the output while the forward pass is still under way, so the engine can
    reduce it immediately and the full-width tensor is freed before the next layer runs.

    Parameters
    ----------
    module
        The network.
    layers
        Dotted module names to record.
    callback
        Receives ``(layer, output)``; outputs are detached.
    identifier
        Named in errors.
    """

    def __init__(self, module: torch.nn.Module, layers: Sequence[str], callback: OutputCallback,
                 identifier: str = "model"):
        self.modules = resolve_layers(module, layers, identifier)
        self.callback = callback
        self._handles: list[Any] = []

    def __enter__(self) -> LayerRecorder:
        for name, sub in self.modules.items():
            self._handles.append(sub.register_forward_hook(self._hook_for(name)))
        return self

    def _hook_for(self, name: str) -> Callable[..., None]:
        def hook(_module: torch.nn.Module, _inputs: Any, output: Any) -> None:
            self.callback(name, first_tensor(output, name).detach())

        return hook

    def __exit__(self, *exc: Any) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
