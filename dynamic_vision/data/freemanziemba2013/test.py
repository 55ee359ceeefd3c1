"""FreemanZiemba2013.public and its aperture stimulus set: published BrainIO URLs and sha1s (the
re-packed zip, not the legacy one); downloads are exercised on replicas in
tests/test_brainscore_replicas.py."""

from dynamic_vision.io.datasets import get_spec
from dynamic_vision.testing.data_checks import check_data_is_declared

BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore/"


def test_files_follow_brainio_urls_and_published_sha1():
    (assembly,) = get_spec("FreemanZiemba2013.public").files
    assert assembly.sha1 == "761c08f796db4e342555cdb60eef23a4f19ead43"
    assert assembly.url == (BUCKET + "assy_movshon_FreemanZiemba2013_public.nc"
                            "?versionId=W2vx7jdh9utZdVumHHarXa4L1zOrA8Fd")
    stimuli = get_spec("FreemanZiemba2013.aperture-public")
    assert {f.name: f.sha1 for f in stimuli.files} == {
        "stimulus_FreemanZiemba2013_aperture-public.csv":
            "194c9b301a4e3e9cff02481d4c19b39331d52660",
        "stimulus_FreemanZiemba2013_aperture-public.zip":
            "3a6fec1fc28c212882d6833e267ea8654d289611"}
    assert all(f.url == BUCKET + f.name for f in stimuli.files)
    for identifier in ("FreemanZiemba2013.public", "FreemanZiemba2013.aperture-public"):
        check_data_is_declared(identifier)
