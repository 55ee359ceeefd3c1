"""Berezutskaya et al. 2022: fMRI of 30 people watching a 6.5-min edit of "Pippi on the run".

Bring your own files (registration only). The raw BIDS runs are open (OpenNeuro ds003688,
CC0) and pinned here by md5 (the deposit's annex keys, ``raw_manifest.txt``); the film is not
deposited. Preparing ``recordings.nc`` is described in docs/datasets_video.md.

Registered: stimulus set ``Berezutskaya2021`` and dataset ``Berezutskaya2021.fMRI``.
"""

from pathlib import Path

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, read_manifest, register_user_tree

MOVIE_ID = "pippi_on_the_run"
TR_S = 0.608
BIBTEX = """@article{berezutskaya2022open,
  title={Open multimodal {iEEG}-{fMRI} dataset from naturalistic stimulation with a short
         audiovisual film},
  author={Berezutskaya, Julia and Vansteensel, Mariska J. and Aarnoutse, Erik J. and
          Freudenburg, Zachary V. and Piantoni, Giovanni and Branco, Mariana P. and
          Ramsey, Nick F.},
  journal={Scientific Data}, volume={9}, pages={91}, year={2022},
  doi={10.1038/s41597-022-01173-0}
}"""
MOVIE_HOW = ("The edited \"Pippi on the run\" film (alternating 30-s speech and music blocks, "
             "389.7 s) is not in the OpenNeuro deposit (Swedish Film Institute); ask the "
             "authors for it and save it as movie/pippi_on_the_run.mp4.")
FMRI_HOW = ("Download OpenNeuro ds003688 snapshot 1.0.7 (CC0; raw runs may be placed under "
            "ds003688/ to be md5-checked), preprocess it as described in "
            "docs/datasets_video.md ('Preparing recordings') with TR 0.608 s, and save the "
            "result as recordings.nc.")

register_user_tree(UserTree("Berezutskaya2021", [ExpectedFile(f"movie/{MOVIE_ID}.mp4")],
                            MOVIE_HOW))
register_stimulus_set(DataSpec(
    identifier="Berezutskaya2021", files=[],
    loader="dynamic_vision.io.user_data:load_tree_stimulus_set", bibtex=BIBTEX,
    license="copyrighted film (obtain from the authors)", access="user-supplied",
    instructions=MOVIE_HOW, homepage="https://openneuro.org/datasets/ds003688/versions/1.0.7",
    description="\"Pippi on the run\", edited to alternate speech and music (one movie).",
    loader_options={"pattern": "movie/*"}, metadata={"n_stimuli": 1, "size_bytes": None}))

_RAW = read_manifest(Path(__file__).with_name("raw_manifest.txt"), prefix="ds003688/",
                     optional=True)
register_user_tree(UserTree("Berezutskaya2021.fMRI", [ExpectedFile("recordings.nc"), *_RAW],
                            FMRI_HOW))
register_dataset(DataSpec(
    identifier="Berezutskaya2021.fMRI", files=[],
    loader="dynamic_vision.io.user_data:load_tree_assembly", bibtex=BIBTEX, license="CC0-1.0",
    access="user-supplied", instructions=FMRI_HOW,
    homepage="https://openneuro.org/datasets/ds003688/versions/1.0.7",
    description=("Berezutskaya 2021 fMRI: 30 participants, one run of the film each, TR "
                 "0.608 s; raw BIDS open and md5-pinned, surface time series prepared by the "
                 "user."),
    metadata={"species": "human", "modality": "fMRI", "stimulus_set": "Berezutskaya2021",
              "tr_s": TR_S, "size_bytes": None,
              "raw_size_bytes": sum(f.size or 0 for f in _RAW)}))
