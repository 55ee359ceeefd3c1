"""CRCNS mt-2 (Nishimoto & Gallant): macaque MT single units during naturalistic movies.

Bring your own files (registration only); CRCNS needs a free account. Each cell has its own
movie inside its MATLAB v7.3 file, so the user prepares, per cell, a clip and the responses:
``stimuli.csv`` (the library's stimulus-set CSV: ``stimulus_id``, ``path`` relative to the
folder) and ``recordings.nc`` (see docs/datasets_video.md). The frame rate is reported as 72 Hz
by two code bases and as about 83 Hz by a third; check it against the files before converting.

Registered: stimulus set ``CRCNS.mt2`` and dataset ``CRCNS.mt2.MT``.
"""

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

BIBTEX = """@article{nishimoto2011three,
  title={A three-dimensional spatiotemporal receptive field model explains responses of area
         {MT} neurons to naturalistic movies},
  author={Nishimoto, Shinji and Gallant, Jack L.},
  journal={Journal of Neuroscience}, volume={31}, number={41}, pages={14551--14564},
  year={2011}, doi={10.1523/JNEUROSCI.6801-10.2011}
}"""
HOW = ("Create a free CRCNS.org account and download mt-2 (one MATLAB v7.3 file per cell, "
       "e.g. ct0001_arg0466d_128.mat, with /psths and /rawStims). Convert each cell's movie "
       "to a clip listed in stimuli.csv and the responses to recordings.nc as "
       "docs/datasets_video.md describes.")

register_user_tree(UserTree("CRCNS.mt2", [ExpectedFile("stimuli.csv")], HOW))
register_stimulus_set(DataSpec(
    identifier="CRCNS.mt2", files=[], loader="dynamic_vision.io.user_data:load_tree_stimulus_csv",
    bibtex=BIBTEX, license="CRCNS terms (account)", access="registration", instructions=HOW,
    homepage="https://crcns.org/data-sets/vc/mt-2",
    description="Grayscale, motion-enhanced naturalistic movies, one per MT cell.",
    loader_options={"file": "stimuli.csv"}, metadata={"size_bytes": None}))
register_user_tree(UserTree("CRCNS.mt2.MT", [ExpectedFile("recordings.nc")], HOW))
register_dataset(DataSpec(
    identifier="CRCNS.mt2.MT", files=[], loader="dynamic_vision.io.user_data:load_tree_assembly",
    bibtex=BIBTEX, license="CRCNS terms (account)", access="registration", instructions=HOW,
    homepage="https://crcns.org/data-sets/vc/mt-2",
    description=("Macaque MT single units (about 45 cells, 2 monkeys), responses to their own "
                 "movies in time bins; prepared by the user."),
    metadata={"species": "macaque", "modality": "single units", "region": "MT",
              "stimulus_set": "CRCNS.mt2", "size_bytes": None}))
