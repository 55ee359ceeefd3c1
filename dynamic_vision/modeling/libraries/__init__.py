"""Models by name from maintained libraries, without a plugin folder per model.

Each module adapts one library to the zoo's :class:`~dynamic_vision.modeling.zoo.ZooModel`:

- :mod:`.timm_models` — ``timm/<name>``: any timm model, applied frame by frame;
- :mod:`.torchvision_models` — ``torchvision/<name>``: any torchvision image or video
  classification builder;
- :mod:`.transformers_models` — ``transformers/<family or hub id>``: Hugging Face video models
  (VideoMAE, TimeSformer, ViViT, V-JEPA 2, X-CLIP's vision tower);
- :mod:`.pytorchvideo_models` — X3D and SlowFast builders for the curated zoo.

:mod:`.provider` turns an adapter into a registry provider (see
:meth:`dynamic_vision.core.registry.Registry.register_provider`): the entry of
``timm/resnet18`` (and of its ``-random`` twin) is made when it is first asked for.
:mod:`.layer_rules` holds the per-family rules that choose the recorded layers,
:mod:`.video_families` the transformers video families, and :mod:`.hub` resolves Hugging Face
hub snapshots. Importing this package imports nothing heavy.
"""
