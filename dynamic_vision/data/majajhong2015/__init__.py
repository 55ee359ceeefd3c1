"""MajajHong2015 (public): macaque V4 and IT multi-unit responses to HvM object images.

Registration only. The files are Brain-Score's public BrainIO objects, pinned by the sha1
Brain-Score publishes; the sha256 is recorded in the data folder's ``SHA256SUMS`` on the first
verified download (see ``docs/datasets.md``).
"""

from dynamic_vision.io.datasets import DataSpec, RemoteFile, register_dataset, register_stimulus_set

_BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore"
_HOMEPAGE = "https://github.com/brain-score/vision/tree/master/brainscore_vision/data/majajhong2015"
BIBTEX = """@article{majaj2015simple,
  title={Simple learned weighted sums of inferior temporal neuronal firing rates accurately
         predict human core object recognition performance},
  author={Majaj, Najib J. and Hong, Ha and Solomon, Ethan A. and DiCarlo, James J.},
  journal={Journal of Neuroscience},
  volume={35}, number={39}, pages={13402--13418}, year={2015},
  doi={10.1523/JNEUROSCI.5181-14.2015}
}"""
#: HvM images spanned 8 degrees of visual angle and were shown for 100 ms.
VISUAL_DEGREES = 8.0
PRESENTATION_MS = 100.0

register_dataset(DataSpec(
    identifier="MajajHong2015.public",
    files=[RemoteFile(url=f"{_BUCKET}/assy_dicarlo_MajajHong2015_public.nc", sha256=None,
                      size=None, name="assy_dicarlo_MajajHong2015_public.nc",
                      sha1="13d28ca0ce88ee550b54db3004374ae19096e9b9")],
    loader="brainio_netcdf", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("Macaque V4 and IT multi-unit sites (Utah arrays, animals Chabo and Tito; 256 "
                 "neuroids) responding to the 3,200 public HvM images (variations 0 and 3), "
                 "about 46 repetitions per image, one 70-170 ms bin of normalised rates. "
                 "Brain-Score's public BrainIO assembly 'dicarlo.MajajHong2015.public'."),
    metadata={"region": ["V4", "IT"], "species": "macaque", "stimulus_set": "hvm-public",
              "time_bins_ms": [[70, 170]], "n_neuroids": 256, "n_presentations": 148480,
              "visual_degrees": VISUAL_DEGREES, "brainio_identifier":
              "dicarlo.MajajHong2015.public"}))

register_stimulus_set(DataSpec(
    identifier="hvm-public",
    files=[RemoteFile(url=f"{_BUCKET}/stimulus_hvm-public.csv", sha256=None, size=None,
                      name="stimulus_hvm-public.csv",
                      sha1="5ca7a3da00d8e9c694a9cd725df5ba0ad6d735af"),
           RemoteFile(url=f"{_BUCKET}/stimulus_hvm-public.zip", sha256=None, size=None,
                      name="stimulus_hvm-public.zip",
                      sha1="8aa44e038d7b551efa8077467622f9d48d72e473")],
    loader="brainio_stimulus_set", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("The 3,200 public HvM images (256x256 PNG; 8 categories x 8 objects rendered "
                 "on natural backgrounds at variations 0 and 3), with object, category and "
                 "pose metadata. Images are one-frame clips shown for 100 ms."),
    loader_options={"image_duration_ms": PRESENTATION_MS},
    metadata={"n_stimuli": 3200, "visual_degrees": VISUAL_DEGREES,
              "presentation_ms": PRESENTATION_MS}))
