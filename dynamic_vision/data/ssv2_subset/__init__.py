"""A fixed subset of Something-Something v2 validation clips for action decoding.

Bring your own files (registration only): SSv2 needs registration and its research license.
The subset is a pure function of the annotation files: the classes with the ``N_CLASSES``
smallest ids in ``labels.json`` and, within each, the ``N_PER_CLASS`` clips of
``validation.json`` with the smallest numeric ids — never directory order.

Registered: stimulus set ``SSv2Subset`` (``label`` column = class id, ``template`` = text).
"""

from dynamic_vision.io.datasets import DataSpec, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

N_CLASSES = 50
N_PER_CLASS = 20
BIBTEX = """@inproceedings{goyal2017something,
  title={The "something something" video database for learning and evaluating visual common
         sense},
  author={Goyal, Raghav and Kahou, Samira Ebrahimi and Michalski, Vincent and Materzynska,
          Joanna and Westphal, Susanne and Kim, Heuna and Haenel, Valentin and Fruend, Ingo
          and Yianilos, Peter and Mueller-Freitag, Moritz and others},
  booktitle={ICCV}, year={2017}
}"""
HOW = ("Register with Qualcomm (https://developer.qualcomm.com/software/ai-datasets/"
       "something-something), accept the research license, download the videos and labels, "
       "and arrange labels.json, validation.json and videos/<id>.webm.")

register_user_tree(UserTree(
    "SSv2Subset", [ExpectedFile("labels.json"), ExpectedFile("validation.json")], HOW,
    expand="dynamic_vision.data.ssv2_subset.selection:selected_clips"))
register_stimulus_set(DataSpec(
    identifier="SSv2Subset", files=[], loader="dynamic_vision.io.user_data:load_tree_stimulus_set",
    bibtex=BIBTEX, license="Something-Something v2 research license", access="registration",
    instructions=HOW,
    homepage="https://developer.qualcomm.com/software/ai-datasets/something-something",
    description=(f"Something-Something v2 validation clips: {N_CLASSES} classes x "
                 f"{N_PER_CLASS} clips chosen by a fixed rule; label = class id."),
    loader_options={"pattern": "videos/*",
                    "metadata": "dynamic_vision.data.ssv2_subset.selection:labels"},
    metadata={"n_stimuli": N_CLASSES * N_PER_CLASS, "size_bytes": None}))
