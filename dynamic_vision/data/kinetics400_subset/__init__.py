"""A fixed subset of the Kinetics-400 test split for action decoding.

Bring your own files (registration only): the clips are YouTube videos mirrored by the CVD
Foundation without checksums. The subset is a pure function of the annotation file
``annotations/test.csv`` (``label,youtube_id,time_start,time_end,split``): the first
``N_CLASSES`` class names in alphabetical order and, within each, the ``N_PER_CLASS`` rows with
the smallest ``(youtube_id, time_start)`` — never directory or listing order.

Registered: stimulus set ``Kinetics400Subset`` (``label`` column = action class).
"""

from dynamic_vision.io.datasets import DataSpec, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

N_CLASSES = 100
N_PER_CLASS = 20
BIBTEX = """@article{kay2017kinetics,
  title={The {Kinetics} Human Action Video Dataset},
  author={Kay, Will and Carreira, Joao and Simonyan, Karen and Zhang, Brian and Hillier, Chloe
          and Vijayanarasimhan, Sudheendra and Viola, Fabio and Green, Tim and Back, Trevor
          and Natsev, Paul and Suleyman, Mustafa and Zisserman, Andrew},
  journal={arXiv preprint arXiv:1705.06950}, year={2017}
}"""
HOW = ("Download the Kinetics-400 test split and annotations from the CVD Foundation mirror "
       "(https://github.com/cvdfoundation/kinetics-dataset: "
       "https://s3.amazonaws.com/kinetics/400/annotations/test.csv and the test archives), "
       "and arrange annotations/test.csv and test/<youtube_id>_<start:06d>_<end:06d>.mp4.")

register_user_tree(UserTree(
    "Kinetics400Subset", [ExpectedFile("annotations/test.csv")], HOW,
    expand="dynamic_vision.data.kinetics400_subset.selection:selected_clips"))
register_stimulus_set(DataSpec(
    identifier="Kinetics400Subset", files=[],
    loader="dynamic_vision.io.user_data:load_tree_stimulus_set", bibtex=BIBTEX,
    license="YouTube uploaders' copyright; annotations by DeepMind", access="user-supplied",
    instructions=HOW, homepage="https://github.com/cvdfoundation/kinetics-dataset",
    description=(f"Kinetics-400 test clips (~10 s): {N_CLASSES} classes x {N_PER_CLASS} "
                 f"clips chosen by a fixed rule from the annotation file; label = action."),
    loader_options={"pattern": "test/*",
                    "metadata": "dynamic_vision.data.kinetics400_subset.selection:labels"},
    metadata={"n_stimuli": N_CLASSES * N_PER_CLASS, "size_bytes": None}))
