"""An example of a model plugin written for Brain-Score's sample-model-submission interface.

``model.py`` defines ``get_model_list``, ``get_model``, ``get_layers`` and ``get_bibtex``
exactly as a Brain-Score base-model submission does: those functions are the models'
declaration. Registration names the models so that listing them imports nothing (``test.py``
checks the names against ``get_model_list()``).
"""

from dynamic_vision.modeling.spec import register_model
from dynamic_vision.modeling.submission import SubmissionSpec

for _name in ("example_cnn", "example_cnn_wide"):
    _spec = SubmissionSpec(_name, "dynamic_vision.models.submission_example.model")
    register_model(_spec, _spec.factory())
