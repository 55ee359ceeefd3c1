"""MajajHong2015.public and hvm-public: published BrainIO URLs and sha1s (the download itself is
exercised on replicas in tests/test_brainscore_replicas.py)."""

from dynamic_vision.io.datasets import get_spec
from dynamic_vision.testing.data_checks import check_data_is_declared

BUCKET = "https://brainscore-storage.s3.amazonaws.com/brainio-brainscore/"


def test_files_follow_brainio_urls_and_published_sha1():
    pinned = {
        "MajajHong2015.public": {
            "assy_dicarlo_MajajHong2015_public.nc": "13d28ca0ce88ee550b54db3004374ae19096e9b9"},
        "hvm-public": {
            "stimulus_hvm-public.csv": "5ca7a3da00d8e9c694a9cd725df5ba0ad6d735af",
            "stimulus_hvm-public.zip": "8aa44e038d7b551efa8077467622f9d48d72e473"},
    }
    for identifier, files in pinned.items():
        check_data_is_declared(identifier)
        spec = get_spec(identifier)
        assert {f.name: f.sha1 for f in spec.files} == files
        assert all(f.url == BUCKET + f.name for f in spec.files)
