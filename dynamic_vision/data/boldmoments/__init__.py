"""BOLD Moments (Lahner et al. 2024): fMRI betas of 10 subjects for 1,102 three-second videos.

Registration only. The betas (GLMsingle, version B, fsaverage surface) are downloaded from
OpenNeuro ds005165 pinned to snapshot 1.0.4 by per-file sha256 (``manifest.txt``) and read with
the restricted unpickler (``betas.py``). The ROIs are FreeSurfer's fsaverage ``V1``, ``V2`` and
``MT`` exvivo labels shipped in the same snapshot. The videos are gated by the authors: the
stimulus set ``BOLDMoments`` is built from a folder the user supplies (``stimuli.py``).

Registered: datasets ``BOLDMoments.sub-XX.{train,test}`` (one subject, one split: 2 pickles of
one hemisphere each plus the 6 label files) and the stimulus set ``BOLDMoments``.
"""

from __future__ import annotations

from pathlib import Path

from dynamic_vision.io.datasets import (
    DataSpec,
    RemoteFile,
    register_dataset,
    register_stimulus_set,
)
from dynamic_vision.io.user_data import ExpectedFile, UserTree, read_manifest, register_user_tree

SNAPSHOT = "1.0.4"
BASE_URL = "https://s3.amazonaws.com/openneuro.org/ds005165"
HOMEPAGE = "https://openneuro.org/datasets/ds005165/versions/1.0.4"
SUBJECTS = tuple(f"sub-{n:02d}" for n in range(1, 11))
TASKS = ("train", "test")
#: Clips per split and repetitions per clip in the experiment.
N_CLIPS = {"train": 1000, "test": 102}
N_REPETITIONS = {"train": 3, "test": 10}
ROIS = ("V1", "V2", "MT")
HEMISPHERES = {"left": "lh", "right": "rh"}
MANIFEST = Path(__file__).with_name("manifest.txt")
LICENCE = "CC0-1.0"
INSTRUCTIONS = ("The BOLD Moments videos were removed from OpenNeuro for licensing reasons. "
                "Agree to the terms at https://boldmomentsdataset.csail.mit.edu/stimuli_metadata "
                "to receive the password, download the stimuli, and keep their layout "
                "stimuli/train/0001.mp4 ... 1000.mp4 and stimuli/test/1001.mp4 ... 1102.mp4.")
BIBTEX = """@article{lahner2024modeling,
  title={Modeling short visual events through the {BOLD} {Moments} video {fMRI} dataset and
         metadata},
  author={Lahner, Benjamin and Dwivedi, Kshitij and Iamshchinina, Polina and Graumann, Monika
          and Lascelles, Alex and Roig, Gemma and Gifford, Alessandro Thomas and Pan, Bowen and
          Jin, SouYoung and Ratan Murty, N. Apurva and Kay, Kendrick and Oliva, Aude and
          Cichy, Radoslaw},
  journal={Nature Communications}, volume={15}, pages={6241}, year={2024},
  doi={10.1038/s41467-024-50310-3}
}"""


def _manifest(path: Path = MANIFEST) -> dict[str, tuple[int, str]]:
    return {f.path: (int(f.size or 0), str(f.sha256)) for f in read_manifest(path)}


def beta_name(subject: str, task: str, hemisphere: str) -> str:
    """File name of one subject's prepared betas for one split and hemisphere."""
    return f"{subject}_organized_betas_task-{task}_hemi-{hemisphere}_normalized.pkl"


def label_name(roi: str, hemisphere: str) -> str:
    """File name of a FreeSurfer fsaverage ROI label (``hemisphere``: left/right)."""
    return f"{HEMISPHERES[hemisphere]}.{roi}_exvivo.thresh.label"


def subject_spec(subject: str, task: str, *, identifier: str | None = None,
                 base_url: str = BASE_URL, manifest: Path = MANIFEST) -> DataSpec:
    """The data plugin of one subject's betas for one split (``task``: train/test).

    ``base_url`` and ``manifest`` point elsewhere for mirrors (and for tests' replicas).
    """
    if task not in TASKS:
        raise ValueError(f"BOLD Moments task must be one of {TASKS}, got {task!r}.")
    entries = _manifest(manifest)
    wanted = [f"derivatives/versionB/fsaverage/GLM/{subject}/prepared_betas/"
              f"{beta_name(subject, task, h)}" for h in HEMISPHERES]
    wanted += [f"derivatives/versionB/fmriprep/sourcedata/freesurfer/fsaverage/label/"
               f"{label_name(roi, h)}" for roi in ROIS for h in HEMISPHERES]
    files = []
    for path in wanted:
        if path not in entries:
            raise ValueError(f"{manifest} has no entry for {path}.")
        size, sha256 = entries[path]
        files.append(RemoteFile(url=f"{base_url}/{path}", sha256=sha256, size=size,
                                name=Path(path).name))
    n_clips, n_reps = N_CLIPS[task], N_REPETITIONS[task]
    return DataSpec(
        identifier=identifier or f"BOLDMoments.{subject}.{task}", files=files,
        loader="dynamic_vision.data.boldmoments.betas:load_subject", bibtex=BIBTEX,
        license=LICENCE, access="open", homepage=HOMEPAGE,
        description=(f"BOLD Moments fMRI, {subject}, {task} split: GLMsingle betas (version "
                     f"B, fsaverage) for {n_clips} 3-s videos x {n_reps} repetitions, kept at "
                     f"the vertices of the V1, V2 and MT labels."),
        loader_options={"subject": subject, "task": task},
        metadata={"species": "human", "modality": "fMRI", "region": list(ROIS),
                  "subject": subject, "task": task, "stimulus_set": "BOLDMoments",
                  "snapshot": f"ds005165 {SNAPSHOT}", "version": 1})


def stimulus_tree(identifier: str = "BOLDMoments", clips: dict[str, list[str]] | None = None
                  ) -> UserTree:
    """The video files the user supplies: ``stimuli/<task>/<clip>.mp4`` for every clip."""
    if clips is None:
        clips = {"train": [f"{n:04d}" for n in range(1, 1001)],
                 "test": [f"{n:04d}" for n in range(1001, 1103)]}
    files = [ExpectedFile(f"stimuli/{task}/{clip}.mp4") for task in TASKS
             for clip in clips.get(task, [])]
    return UserTree(identifier, files, INSTRUCTIONS)


def stimulus_spec(identifier: str = "BOLDMoments") -> DataSpec:
    """The stimulus-set plugin of the user-supplied videos."""
    return DataSpec(
        identifier=identifier, files=[],
        loader="dynamic_vision.data.boldmoments.stimuli:load_stimulus_set", bibtex=BIBTEX,
        license="BOLD Moments terms of use (Moments in Time videos)", access="user-supplied",
        homepage="https://boldmomentsdataset.csail.mit.edu", instructions=INSTRUCTIONS,
        description=("The 1,102 three-second BOLD Moments videos (1,000 train, 102 test) from "
                     "Moments in Time; gated by the authors, supplied by the user."),
        metadata={"n_stimuli": 1102, "size_bytes": None, "version": 1})


for _subject in SUBJECTS:
    for _task in TASKS:
        register_dataset(subject_spec(_subject, _task))
register_user_tree(stimulus_tree())
register_stimulus_set(stimulus_spec())
