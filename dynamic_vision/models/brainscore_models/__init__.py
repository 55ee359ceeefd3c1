"""Brain-Score models by location: ``path/to/plugin_folder:identifier`` and
``path/to/base_models.py:name`` are model identifiers.

Registration only: the model registry learns to resolve such references on first use (see
:mod:`dynamic_vision.modeling.brainscore.references`); nothing is imported until one is asked for.
"""

from dynamic_vision.core.registry import model_registry

model_registry.add_resolver("dynamic_vision.modeling.brainscore.references:resolve")
