"""Rajalingham2018 (public): human object-discrimination trials on objectome images (I2n).

Registration only. The files are Brain-Score's public BrainIO objects, pinned by the sha1
Brain-Score publishes; the sha256 is recorded in the data folder's ``SHA256SUMS`` on the first
verified download (see ``docs/datasets.md``).
"""

from dynamic_vision.io.datasets import DataSpec, RemoteFile, register_dataset, register_stimulus_set

_BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore"
_HOMEPAGE = ("https://github.com/brain-score/vision/tree/master/brainscore_vision/data/"
             "rajalingham2018")
BIBTEX = """@article{rajalingham2018large,
  title={Large-scale, high-resolution comparison of the core visual object recognition
         behavior of humans, monkeys, and state-of-the-art deep artificial neural networks},
  author={Rajalingham, Rishi and Issa, Elias B. and Bashivan, Pouya and Kar, Kohitij and
          Schmidt, Kailyn and DiCarlo, James J.},
  journal={Journal of Neuroscience},
  volume={38}, number={33}, pages={7255--7269}, year={2018},
  doi={10.1523/JNEUROSCI.0388-18.2018}
}"""
#: Objectome images spanned 8 degrees of visual angle and were shown for 100 ms.
VISUAL_DEGREES = 8.0
PRESENTATION_MS = 100.0

register_dataset(DataSpec(
    identifier="Rajalingham2018.public",
    files=[RemoteFile(url=f"{_BUCKET}/assy_dicarlo_Rajalingham2018_public.nc", sha256=None,
                      size=None, name="assy_dicarlo_Rajalingham2018_public.nc",
                      sha1="34c6a8b6f7c523589c1861e4123232e5f7c7df4c")],
    loader="brainio_trials", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("Pooled human trials of two-alternative object discrimination (24 objects, "
                 "sample image then target vs distractor) on the 2,160 objectome images that "
                 "had too few trials for Brain-Score's private test set: about 585,000 trials "
                 "with coords sample_obj, dist_obj, truth and the choice as values, loaded as "
                 "trials with choice, label (the object shown), distractor and subject "
                 "('pooled'). Brain-Score's public BrainIO assembly "
                 "'dicarlo.Rajalingham2018.public'."),
    metadata={"species": "human", "stimulus_set": "objectome.public", "n_stimuli": 2160,
              "n_objects": 24, "visual_degrees": VISUAL_DEGREES,
              "brainio_identifier": "dicarlo.Rajalingham2018.public"}))

register_stimulus_set(DataSpec(
    identifier="objectome.public",
    files=[RemoteFile(url=f"{_BUCKET}/stimulus_objectome_public.csv", sha256=None, size=None,
                      name="stimulus_objectome_public.csv",
                      sha1="47884e17106a3be471d6481279cab33889b80850"),
           RemoteFile(url=f"{_BUCKET}/stimulus_objectome_public.zip", sha256=None, size=None,
                      name="stimulus_objectome_public.zip",
                      sha1="064f2955f98e63867755fee2e3ead8cddf6bfab8")],
    loader="brainio_stimulus_set", bibtex=BIBTEX, license="unknown", access="open",
    homepage=_HOMEPAGE,
    description=("The 2,160 public objectome images (24 objects x up to 100 renderings on "
                 "natural backgrounds, PNG), with the object each shows (image_sample_obj, "
                 "image_label). Images are one-frame clips shown for 100 ms."),
    loader_options={"image_duration_ms": PRESENTATION_MS},
    metadata={"n_stimuli": 2160, "visual_degrees": VISUAL_DEGREES,
              "presentation_ms": PRESENTATION_MS}))
