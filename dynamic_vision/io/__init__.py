"""Stimuli, recordings and files: video decoding, stimulus sets, assemblies, declarative data
plugins, verified downloads, mirrors, bring-your-own-files data and Brain-Score (brainio) data.

The data-authoring API (names below) is imported on first use:

>>> from dynamic_vision.io import DataSpec, RemoteFile, register_dataset  # registration
>>> from dynamic_vision.io import StimulusSet, neural_assembly            # loaders
"""

from dynamic_vision.core.exports import lazy_exports

_NAMES = {
    "DataSpec": "dynamic_vision.io.datasets",
    "register_dataset": "dynamic_vision.io.datasets",
    "register_stimulus_set": "dynamic_vision.io.datasets",
    "LOADERS": "dynamic_vision.io.datasets",
    "ACCESS_LEVELS": "dynamic_vision.io.datasets",
    "RemoteFile": "dynamic_vision.io.remote_file",
    "StimulusSet": "dynamic_vision.io.stimuli",
    "save_stimulus_set": "dynamic_vision.io.stimuli",
    "load_stimulus_set_file": "dynamic_vision.io.stimuli",
    "neural_assembly": "dynamic_vision.io.assemblies",
    "fmri_assembly": "dynamic_vision.io.assemblies",
    "behavioral_assembly": "dynamic_vision.io.assemblies",
    "average_repetitions": "dynamic_vision.io.assemblies",
    "save_assembly": "dynamic_vision.io.assemblies",
    "load_assembly": "dynamic_vision.io.assemblies",
    "write_brainio_stimulus_set": "dynamic_vision.io.brainio_files",
    "read_brainio_stimulus_set": "dynamic_vision.io.brainio_files",
    "write_brainio_assembly": "dynamic_vision.io.brainio_files",
    "read_brainio_assembly": "dynamic_vision.io.brainio_files",
    "write_brainscore_score": "dynamic_vision.io.brainio_scores",
    "read_brainscore_score": "dynamic_vision.io.brainio_scores",
    "UserTree": "dynamic_vision.io.user_data",
    "register_user_tree": "dynamic_vision.io.user_data",
    "read_frames": "dynamic_vision.io.video",
    "write_video": "dynamic_vision.io.video",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
