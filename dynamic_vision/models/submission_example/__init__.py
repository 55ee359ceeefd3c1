"""An example of a model plugin written for Brain-Score's sample-model-submission interface.

``model.py`` defines ``get_model_list``, ``get_model``, ``get_layers`` and ``get_bibtex``
exactly as a Brain-Score base-model submission does; registration names the models so that
listing them imports nothing (``test.py`` checks the names against ``get_model_list()``).
"""

from dynamic_vision.modeling.submission import register_submission

register_submission(
    "dynamic_vision.models.submission_example.model",
    names=["example_cnn", "example_cnn_wide"],
    kind="image", version=1,
)
