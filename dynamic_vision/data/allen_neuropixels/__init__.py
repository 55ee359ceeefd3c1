"""Allen Brain Observatory Visual Coding – Neuropixels: mouse spikes during natural movie one.

Registration only. One session's NWB file is streamed from DANDI by asset id and verified
against the sha256 digest the archive publishes for that asset (``remote.py``); spikes are
counted in frame-aligned bins of clips cut from the movie (``session.py``,
:mod:`dynamic_vision.io.spikes`); the clips are cut from Allen's open movie template
(``movie.py``). Nothing else of the 478 GB archive is downloaded.

Registered: dataset ``AllenNeuropixels.ses-715093703`` and stimulus set
``AllenNeuropixels.natural_movie_one``.
"""

from __future__ import annotations

from dynamic_vision.io.datasets import DataSpec, register_dataset, register_stimulus_set

DANDI_API = "https://api.dandiarchive.org/api"
TEMPLATE_URL = ("https://allen-brain-observatory.s3.amazonaws.com/visual-coding-neuropixels/"
                "ecephys-cache/natural_movie_templates/natural_movie_1.h5")
LICENCE = "Allen Institute terms of use"
TERMS = "http://www.alleninstitute.org/legal/terms-use/"
#: Sessions with their DANDI asset (dandiset 000021, "brain observatory 1.1").
SESSIONS = {
    "715093703": {"dandiset": "000021", "asset_id": "58703c97-c0a9-4736-b684-73c85c1a444a",
                  "asset_path": "sub-699733573/sub-699733573_ses-715093703.nwb"},
}
#: Natural movie one: 900 frames at 30 fps, shown 20 times per session.
MOVIE = "natural_movie_one"
FRAMES_PER_CLIP = 15
FRAMES_PER_BIN = 3
AREAS = ("VISp", "VISl", "VISal", "VISam", "VISpm", "VISrl", "LGd", "LP")
REQUIRES = {"pynwb": "dynamic-vision[nwb]"}
#: How listings and conformance checks learn whether the run-time-resolved file is on disk.
_PRESENCE = "dynamic_vision.data.allen_neuropixels.remote:is_present"
BIBTEX = """@article{siegle2021survey,
  title={Survey of spiking in the mouse visual system reveals functional hierarchy},
  author={Siegle, Joshua H. and Jia, Xiaoxuan and Durand, S{\\'e}verine and Gale, Sam and
          Bennett, Corbett and Graddis, Nile and Heller, Greggory and Ramirez, Tamina K. and
          Choi, Hannah and Luviano, Jennifer A. and others},
  journal={Nature}, volume={592}, pages={86--92}, year={2021},
  doi={10.1038/s41586-020-03171-x}
}"""


def session_spec(session: str, *, identifier: str | None = None, api: str = DANDI_API,
                 asset_id: str | None = None, asset_path: str | None = None,
                 stimulus_set: str = f"AllenNeuropixels.{MOVIE}",
                 frames_per_clip: int = FRAMES_PER_CLIP,
                 frames_per_bin: int = FRAMES_PER_BIN) -> DataSpec:
    """The data plugin of one session's natural-movie spikes (``api`` may point at a mirror)."""
    known = SESSIONS.get(session, {})
    asset_id = asset_id or known.get("asset_id")
    asset_path = asset_path or known.get("asset_path")
    if asset_id is None or asset_path is None:
        raise ValueError(f"Unknown Allen session {session!r}; known: {sorted(SESSIONS)} (or "
                         f"pass asset_id and asset_path).")
    return DataSpec(
        identifier=identifier or f"AllenNeuropixels.ses-{session}", files=[],
        loader="dynamic_vision.data.allen_neuropixels.session:load_session", bibtex=BIBTEX,
        license=LICENCE, access="open", homepage=f"https://dandiarchive.org/dandiset/"
                                                 f"{known.get('dandiset', '000021')}",
        description=(f"Allen Visual Coding Neuropixels session {session}: spike counts of every "
                     f"unit (area from its peak channel) during {MOVIE.replace('_', ' ')}, in "
                     f"{frames_per_clip}-frame clips x {frames_per_bin}-frame bins aligned to "
                     f"the logged frame onsets, one trial per movie repeat."),
        loader_options={"session": session, "api": api, "asset_id": asset_id,
                        "asset_path": asset_path, "movie": MOVIE,
                        "frames_per_clip": frames_per_clip, "frames_per_bin": frames_per_bin},
        metadata={"species": "mouse", "modality": "Neuropixels spikes", "region": list(AREAS),
                  "stimulus_set": stimulus_set, "dandi_asset": asset_id, "session": session,
                  "size_bytes": None, "hash": "sha256 published by DANDI for the asset",
                  "presence": _PRESENCE, "version": 1})


def movie_spec(*, identifier: str = f"AllenNeuropixels.{MOVIE}", url: str = TEMPLATE_URL,
               frames_per_clip: int = FRAMES_PER_CLIP) -> DataSpec:
    """The stimulus-set plugin of natural movie one, cut into clips."""
    return DataSpec(
        identifier=identifier, files=[],
        loader="dynamic_vision.data.allen_neuropixels.movie:load_movie", bibtex=BIBTEX,
        license=LICENCE, access="open", homepage="https://allensdk.readthedocs.io",
        description=(f"Allen natural movie one (900 grayscale frames, 30 fps, 30 s) cut into "
                     f"{900 // frames_per_clip} clips of {frames_per_clip} frames; from the "
                     f"open template, whose sha256 is recorded on first download."),
        loader_options={"url": url, "frames_per_clip": frames_per_clip, "movie": MOVIE,
                        "fps": 30.0},
        metadata={"n_stimuli": 900 // frames_per_clip, "size_bytes": None,
                  "presence": _PRESENCE, "version": 1})


register_dataset(session_spec("715093703"), requires=REQUIRES)
register_stimulus_set(movie_spec())
