"""FreemanZiemba2013 (public): macaque V1 and V2 single units responding to texture images.

Registration only. The files are Brain-Score's public BrainIO objects, pinned by the sha1
Brain-Score publishes (the re-packed aperture zips, not the legacy ones); the sha256 is recorded
in the data folder's ``SHA256SUMS`` on the first verified download (see ``docs/datasets.md``).
"""

from dynamic_vision.io.datasets import DataSpec, RemoteFile, register_dataset, register_stimulus_set

_BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore"
_HOMEPAGE = ("https://github.com/brain-score/vision/tree/master/brainscore_vision/data/"
             "freemanziemba2013")
BIBTEX = """@article{freeman2013functional,
  title={A functional and perceptual signature of the second visual area in primates},
  author={Freeman, Jeremy and Ziemba, Corey M. and Heeger, David J. and Simoncelli, Eero P.
          and Movshon, J. Anthony},
  journal={Nature Neuroscience},
  volume={16}, number={7}, pages={974--981}, year={2013},
  doi={10.1038/nn.3402}
}"""
#: Textures spanned 4 degrees of visual angle and were shown for 100 ms.
VISUAL_DEGREES = 4.0
PRESENTATION_MS = 100.0

register_dataset(DataSpec(
    identifier="FreemanZiemba2013.public",
    files=[RemoteFile(url=(f"{_BUCKET}/assy_movshon_FreemanZiemba2013_public.nc"
                           "?versionId=W2vx7jdh9utZdVumHHarXa4L1zOrA8Fd"),
                      sha256=None, size=None, name="assy_movshon_FreemanZiemba2013_public.nc",
                      sha1="761c08f796db4e342555cdb60eef23a4f19ead43")],
    loader="brainio_netcdf", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("Macaque V1 and V2 single units (205 neurons: 102 V1, 103 V2) responding to "
                 "the 135 public texture and spectrally matched noise images (15 families), "
                 "20 repetitions each, in 300 bins of 1 ms from image onset. Brain-Score's "
                 "public BrainIO assembly 'movshon.FreemanZiemba2013.public'."),
    metadata={"region": ["V1", "V2"], "species": "macaque",
              "stimulus_set": "FreemanZiemba2013.aperture-public",
              "time_bins_ms": "300 x 1 ms, 0-300 ms", "n_neuroids": 205,
              "visual_degrees": VISUAL_DEGREES,
              "brainio_identifier": "movshon.FreemanZiemba2013.public"}))

register_stimulus_set(DataSpec(
    identifier="FreemanZiemba2013.aperture-public",
    files=[RemoteFile(url=f"{_BUCKET}/stimulus_FreemanZiemba2013_aperture-public.csv",
                      sha256=None, size=None,
                      name="stimulus_FreemanZiemba2013_aperture-public.csv",
                      sha1="194c9b301a4e3e9cff02481d4c19b39331d52660"),
           RemoteFile(url=f"{_BUCKET}/stimulus_FreemanZiemba2013_aperture-public.zip",
                      sha256=None, size=None,
                      name="stimulus_FreemanZiemba2013_aperture-public.zip",
                      sha1="3a6fec1fc28c212882d6833e267ea8654d289611")],
    loader="brainio_stimulus_set", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("The 135 public texture and noise images (320x320 PNG, raised-cosine aperture "
                 "on grey), with texture family, type and sample. Images are one-frame clips "
                 "shown for 100 ms."),
    loader_options={"image_duration_ms": PRESENTATION_MS},
    metadata={"n_stimuli": 135, "visual_degrees": VISUAL_DEGREES,
              "presentation_ms": PRESENTATION_MS}))
