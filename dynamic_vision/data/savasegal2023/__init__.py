"""Sava-Segal et al. 2023: fMRI of participants watching four short films.

Bring your own files (registration only). Neither the recordings' public location nor the
films' license is known; the processed recordings are shared by the authors on request.
Preparing ``recordings.nc`` is described in docs/datasets_video.md.

Registered: stimulus set ``Savasegal2023`` (four films) and dataset ``Savasegal2023.fMRI``.
"""

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

MOVIES = ("Defeat", "Growth", "Iteration", "Lemonade")
TR_S = 1.0
BIBTEX = """@article{savasegal2023individual,
  title={Individual differences in neural event segmentation of continuous experiences},
  author={Sava-Segal, Clara and Richards, Chandler and Leung, Megan and Finn, Emily S.},
  journal={Cerebral Cortex}, volume={33}, number={13}, pages={8164--8178}, year={2023},
  doi={10.1093/cercor/bhad106}
}"""
HOW = ("Ask the authors (Finn lab, Dartmouth) for the four films (Defeat, Growth, Iteration, "
       "Lemonade) and the fMRI recordings; save the films as movies/<Name>.mp4 and the "
       "prepared recordings (docs/datasets_video.md, 'Preparing recordings'; TR 1 s, cut 2 "
       "TRs at the start and 12 (Defeat) or 11 at the end) as recordings.nc.")

register_user_tree(UserTree("Savasegal2023",
                            [ExpectedFile(f"movies/{movie}.mp4") for movie in MOVIES], HOW))
register_stimulus_set(DataSpec(
    identifier="Savasegal2023", files=[],
    loader="dynamic_vision.io.user_data:load_tree_stimulus_set", bibtex=BIBTEX,
    license="unknown (obtain from the authors)", access="request", instructions=HOW,
    description="Four short films: Defeat, Growth, Iteration, Lemonade.",
    loader_options={"pattern": "movies/*"}, metadata={"n_stimuli": 4, "size_bytes": None}))
register_user_tree(UserTree("Savasegal2023.fMRI", [ExpectedFile("recordings.nc")], HOW))
register_dataset(DataSpec(
    identifier="Savasegal2023.fMRI", files=[],
    loader="dynamic_vision.io.user_data:load_tree_assembly", bibtex=BIBTEX,
    license="unknown (obtain from the authors)", access="request", instructions=HOW,
    description=("Sava-Segal 2023 fMRI during four films, TR 1 s, each film seen once per "
                 "subject (subjects are the repetitions)."),
    metadata={"species": "human", "modality": "fMRI", "stimulus_set": "Savasegal2023",
              "tr_s": TR_S, "size_bytes": None}))
