"""McMahon, Bonner & Isik 2023: fMRI to 250 three-second videos of two people interacting.

Bring your own files (registration only). The clips come from Moments in Time (request them
from MiT) and the fMRI data are privately hosted by the Isik lab. The clip list is the authors'
``train.csv``/``test.csv`` (200 + 50 names), read in file order, never from the folder.

Registered: stimulus set ``McMahon2023`` and dataset ``McMahon2023.fMRI`` (prepared betas,
``(presentation, neuroid, time_bin)`` with one 0-3000 ms bin; see docs/datasets_video.md).
"""

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

BIBTEX = """@article{mcmahon2023hierarchical,
  title={Hierarchical organization of social action features along the lateral visual
         pathway},
  author={McMahon, Emalie and Bonner, Michael F. and Isik, Leyla},
  journal={Current Biology}, volume={33}, number={23}, pages={5035--5047}, year={2023},
  doi={10.1016/j.cub.2023.10.015}
}"""
HOW = ("Request the videos from Moments in Time (as the Isik lab's instructions say) and the "
       "fMRI data, train.csv/test.csv and annotations.csv from the Isik lab (Johns Hopkins). "
       "Put the lists and annotations at the top of the folder and the clips under videos/ "
       "with the names the lists give.")

register_user_tree(UserTree(
    "McMahon2023", [ExpectedFile("train.csv"), ExpectedFile("test.csv"),
                    ExpectedFile("annotations.csv")], HOW,
    expand="dynamic_vision.data.mcmahon2023.clips:listed_videos"))
register_stimulus_set(DataSpec(
    identifier="McMahon2023", files=[], loader="dynamic_vision.io.user_data:load_tree_stimulus_set",
    bibtex=BIBTEX, license="Moments in Time terms (request)", access="request",
    instructions=HOW,
    description=("250 three-second videos of two people (200 train, 50 test) with social "
                 "and visual ratings (joint action, communication, ...)."),
    loader_options={"pattern": "videos/*",
                    "metadata": "dynamic_vision.data.mcmahon2023.clips:annotations"},
    metadata={"n_stimuli": 250, "size_bytes": None}))
register_user_tree(UserTree("McMahon2023.fMRI", [ExpectedFile("recordings.nc")], HOW))
register_dataset(DataSpec(
    identifier="McMahon2023.fMRI", files=[],
    loader="dynamic_vision.io.user_data:load_tree_assembly", bibtex=BIBTEX,
    license="unknown (privately hosted)", access="request", instructions=HOW,
    description=("McMahon 2023 fMRI betas to the 250 videos, 4 subjects x even/odd run "
                 "halves as repetitions, one 0-3000 ms bin."),
    metadata={"species": "human", "modality": "fMRI", "stimulus_set": "McMahon2023",
              "size_bytes": None}))
