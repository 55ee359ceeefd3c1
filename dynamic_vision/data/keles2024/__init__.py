"""Keles et al. 2024: fMRI of 15 people watching an 8-min excerpt of "Bang! You're Dead".

Bring your own files (registration only). The raw BIDS runs are open (OpenNeuro ds004798,
CC0) and pinned here by sha256 (``raw_manifest.txt``), but they need fMRIPrep and confound
regression before they can be scored, and the movie is not deposited. See
docs/datasets_video.md for the preprocessing that produces ``recordings.nc``.

Registered: stimulus set ``Keles2024`` (the movie) and dataset ``Keles2024.fMRI`` (prepared
surface time series).
"""

from pathlib import Path

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, read_manifest, register_user_tree

MOVIE_ID = "bang_youre_dead"
TR_S = 1.0
BIBTEX = """@article{keles2024multimodal,
  title={Multimodal single-neuron, intracranial {EEG}, and {fMRI} brain responses during movie
         watching in human patients},
  author={Keles, Umit and Dubois, Julien and Le, Kevin J. M. and Tyszka, J. Michael and
          Kahn, David A. and Reed, Chrystal M. and Chung, Jeffrey M. and Mamelak, Adam N. and
          Adolphs, Ralph and Rutishauser, Ueli},
  journal={Scientific Data}, volume={11}, pages={214}, year={2024},
  doi={10.1038/s41597-024-03029-1}
}"""
MOVIE_HOW = ("The 8-min excerpt of \"Bang! You're Dead\" (25 fps, 11,971 frames) is not in the "
             "OpenNeuro deposit; the dataset acknowledges Rhodri Cusack for the stimulus, so "
             "ask the authors (rutishauserlab) for it. Save it as movie/bang_youre_dead.mp4.")
FMRI_HOW = ("Download OpenNeuro ds004798 snapshot 1.0.5 (CC0; raw runs may be placed under "
            "ds004798/ to be hash-checked), preprocess it as described in "
            "docs/datasets_video.md ('Preparing recordings'), and save the result as "
            "recordings.nc.")

register_user_tree(UserTree("Keles2024", [ExpectedFile(f"movie/{MOVIE_ID}.mp4")], MOVIE_HOW))
register_stimulus_set(DataSpec(
    identifier="Keles2024", files=[], loader="dynamic_vision.io.user_data:load_tree_stimulus_set",
    bibtex=BIBTEX, license="copyrighted film (obtain from the authors)",
    access="user-supplied", instructions=MOVIE_HOW,
    homepage="https://openneuro.org/datasets/ds004798/versions/1.0.5",
    description="The 8-min excerpt of \"Bang! You're Dead\" (Hitchcock), one movie at 25 fps.",
    loader_options={"pattern": "movie/*"}, metadata={"n_stimuli": 1, "size_bytes": None}))

_RAW = read_manifest(Path(__file__).with_name("raw_manifest.txt"), prefix="ds004798/",
                     optional=True)
register_user_tree(UserTree("Keles2024.fMRI", [ExpectedFile("recordings.nc"), *_RAW], FMRI_HOW))
register_dataset(DataSpec(
    identifier="Keles2024.fMRI", files=[], loader="dynamic_vision.io.user_data:load_tree_assembly",
    bibtex=BIBTEX, license="CC0-1.0", access="user-supplied", instructions=FMRI_HOW,
    homepage="https://openneuro.org/datasets/ds004798/versions/1.0.5",
    description=("Keles 2024 fMRI: 15 participants x 2 runs of the movie, TR 1 s; raw BIDS is "
                 "open and hash-pinned, the scored surface time series are prepared by the "
                 "user (fMRIPrep fsaverage5, confound regression)."),
    metadata={"species": "human", "modality": "fMRI", "stimulus_set": "Keles2024",
              "tr_s": TR_S, "size_bytes": None,
              "raw_size_bytes": sum(f.size or 0 for f in _RAW)}))
