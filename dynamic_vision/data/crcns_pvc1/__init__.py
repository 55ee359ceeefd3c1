"""CRCNS pvc-1 (Ringach lab): macaque V1 arrays during natural movie segments.

Bring your own files (registration only); CRCNS needs a free account. The stimulus set is built
from the deposit's JPEG frame folders (``movie_frames/movieMMM_SSS.images/``, 4 movies x 30
segments, 30 Hz, frame count in each folder's ``nframes``), listed explicitly. The responses are
Matlab ``pepANA`` structs; scoring needs them converted to ``recordings.nc`` (see
docs/datasets_video.md) — the library has no converter for them yet.

Registered: stimulus set ``CRCNS.pvc1`` and dataset ``CRCNS.pvc1.V1``.
"""

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set
from dynamic_vision.io.user_data import ExpectedFile, UserTree, register_user_tree

FPS = 30.0
SEGMENTS = tuple(f"movie{m:03d}_{s:03d}" for m in range(4) for s in range(30))
BIBTEX = """@article{nauhaus2007precise,
  title={Precise alignment of micromachined electrode arrays with {V1} functional maps},
  author={Nauhaus, Ian and Ringach, Dario L.},
  journal={Journal of Neurophysiology}, volume={97}, number={5}, pages={3781--3789},
  year={2007}, doi={10.1152/jn.00120.2007}
}"""
HOW = ("Create a free CRCNS.org account, download pvc-1 from "
       "https://portal.nersc.gov/project/crcns/download/pvc-1 (about 1.9 GB) and unpack it so "
       "that movie_frames/ (and neurodata/) sit at the top of the folder.")

register_user_tree(UserTree(
    "CRCNS.pvc1", [ExpectedFile(f"movie_frames/{segment}.images/nframes")
                   for segment in SEGMENTS], HOW,
    expand="dynamic_vision.data.crcns_pvc1.frames:listed_frames"))
register_stimulus_set(DataSpec(
    identifier="CRCNS.pvc1", files=[], loader="dynamic_vision.data.crcns_pvc1.frames:load_segments",
    bibtex=BIBTEX, license="CRCNS terms (account); commercial films", access="registration",
    instructions=HOW, homepage="https://crcns.org/data-sets/vc/pvc-1",
    description=("120 natural-movie segments (~30 s, 320x240, 30 Hz) from Sleeper, Benji, "
                 "Goldfinger and Shakespeare in Love, as video clips."),
    loader_options={"fps": FPS}, metadata={"n_stimuli": len(SEGMENTS), "size_bytes": None}))
register_user_tree(UserTree("CRCNS.pvc1.V1", [ExpectedFile("recordings.nc")],
                            HOW + " Convert the neurodata/ responses to recordings.nc as "
                            "docs/datasets_video.md describes."))
register_dataset(DataSpec(
    identifier="CRCNS.pvc1.V1", files=[], loader="dynamic_vision.io.user_data:load_tree_assembly",
    bibtex=BIBTEX, license="CRCNS terms (account)", access="registration", instructions=HOW,
    homepage="https://crcns.org/data-sets/vc/pvc-1",
    description=("Macaque V1 (10x10 arrays) spike counts per time bin of each segment, "
                 "repeats as repetitions; prepared by the user from the pepANA files."),
    metadata={"species": "macaque", "modality": "Utah array spikes", "region": "V1",
              "stimulus_set": "CRCNS.pvc1", "size_bytes": None}))
