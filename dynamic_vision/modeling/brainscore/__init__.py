"""Brain-Score's model code, run here unchanged.

- :mod:`.shim` provides Brain-Score's module names (``model_tools``, ``brainscore``,
  ``brainscore_vision``) while a Brain-Score model is loaded, when the real packages are absent;
- :mod:`.activations` (``PytorchWrapper``, ``load_preprocess_images``), :mod:`.commitment`
  (``ModelCommitment``) and :mod:`.checks` (``check_models``, ``score_model``) are what those
  names stand for, implemented from Brain-Score's documented behaviour;
- :mod:`.conversion` turns what a Brain-Score model function returns into this library's
  :class:`~dynamic_vision.modeling.commitment.ModelCommitment`;
- :mod:`.references` loads plugin folders (``path/to/folder:identifier``) and submission files
  (``path/to/base_models.py:name``) named as model identifiers.

See docs/brainscore.md.
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "brainscore_names": "dynamic_vision.modeling.brainscore.shim",
    "PytorchWrapper": "dynamic_vision.modeling.brainscore.activations",
    "load_preprocess_images": "dynamic_vision.modeling.brainscore.activations",
    "ModelCommitment": "dynamic_vision.modeling.brainscore.commitment",
    "brain_model": "dynamic_vision.modeling.brainscore.conversion",
    "check_base_models": "dynamic_vision.modeling.brainscore.checks",
    "score_model": "dynamic_vision.modeling.brainscore.checks",
    "register_plugin_folder": "dynamic_vision.modeling.brainscore.references",
    "load_plugin_folder": "dynamic_vision.modeling.brainscore.references",
    "load_module_file": "dynamic_vision.modeling.brainscore.references",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
