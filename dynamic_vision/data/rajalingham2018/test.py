"""Rajalingham2018.public and objectome.public: published BrainIO URLs and sha1s (downloads are
exercised on replicas in tests/test_brainscore_replicas.py)."""

from dynamic_vision.io.datasets import get_spec
from dynamic_vision.testing.data_checks import check_data_is_declared

BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore/"


def test_files_follow_brainio_urls_and_published_sha1():
    pinned = {
        "Rajalingham2018.public": {
            "assy_dicarlo_Rajalingham2018_public.nc": "34c6a8b6f7c523589c1861e4123232e5f7c7df4c"},
        "objectome.public": {
            "stimulus_objectome_public.csv": "47884e17106a3be471d6481279cab33889b80850",
            "stimulus_objectome_public.zip": "064f2955f98e63867755fee2e3ead8cddf6bfab8"},
    }
    for identifier, files in pinned.items():
        check_data_is_declared(identifier)
        spec = get_spec(identifier)
        assert {f.name: f.sha1 for f in spec.files} == files
        assert all(f.url == BUCKET + f.name for f in spec.files)
    assert get_spec("Rajalingham2018.public").loader == "brainio_trials"
