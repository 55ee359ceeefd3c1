"""Conformance checks for data plugins (datasets and stimulus sets).

Every data plugin must declare a license, a bibtex citation and its access level. Plugins
whose data can be loaded here and now (embedded/generated data, or files already fetched) are
loaded and checked against the assembly and stimulus-set contracts of ``docs/architecture.md``.
Load keyword arguments for a small test configuration may be declared in the registration
metadata as ``test_load_kwargs={...}``. A stimulus set that declares ``subset_loading=True``
promises that its loader takes ``stimulus_ids=[...]`` and ``sample=n`` and returns those rows of
the full set, building or fetching only them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dynamic_vision.core.registry import REGISTRIES, Registry
from dynamic_vision.testing.checks import check

__all__ = [
    "check_data_is_declared",
    "check_data_loads_to_contract",
    "check_subset_loading",
    "assert_assembly_contract",
    "assert_stimulus_set_contract",
]

#: dims → (coordinates each dimension must carry). The first match decides the kind.
_ASSEMBLY_CONTRACTS: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {
    ("presentation", "neuroid", "time_bin"): {
        "presentation": ("stimulus_id",), "neuroid": ("neuroid_id", "region"),
        "time_bin": ("time_bin_start", "time_bin_end")},
    ("time", "neuroid"): {"time": ("time_s", "run", "subject"),
                          "neuroid": ("neuroid_id", "region")},
    ("presentation",): {"presentation": ("stimulus_id", "choice", "label", "subject")},
}


def _registry_of(identifier: str) -> Registry[Any]:
    for kind in ("dataset", "stimulus_set"):
        if identifier in REGISTRIES[kind]:
            return REGISTRIES[kind]
    raise AssertionError(f"'{identifier}' is neither a registered dataset nor stimulus set")


def _skip(reason: str) -> None:
    try:
        import pytest
    except ImportError:  # pragma: no cover (run_checks outside pytest)
        return
    pytest.skip(reason)


@check("dataset")
@check("stimulus_set")
def check_data_is_declared(identifier: str) -> None:
    """License, bibtex, access level and description are declared; files can be verified."""
    from dynamic_vision.io.datasets import ACCESS_LEVELS, get_spec

    spec = get_spec(identifier)
    assert spec.identifier == identifier, (
        f"registered as '{identifier}' but declares '{spec.identifier}'")
    assert spec.license.strip(), f"'{identifier}' declares no license (say 'unknown' if so)"
    assert spec.bibtex.strip().startswith("@") and "{" in spec.bibtex, (
        f"'{identifier}' needs a bibtex entry (starting with '@type{{key,')")
    assert spec.access in ACCESS_LEVELS
    assert spec.description.strip(), f"'{identifier}' needs a one-paragraph description"
    if spec.access == "embedded":
        assert ":" in spec.loader or not spec.files, (
            f"embedded data '{identifier}' are generated: declare a 'module:function' loader")
    elif spec.access != "open":
        assert spec.instructions or spec.homepage, (
            f"'{identifier}' has {spec.access} access: declare instructions or a homepage "
            f"saying how to obtain the files")
    for remote in spec.files:
        assert remote.verifiable or spec.access == "user-supplied", (
            f"file '{remote.name}' of '{identifier}' has neither sha256 nor sha1")


def assert_assembly_contract(assembly: Any, name: str = "assembly") -> None:
    """Raise ``AssertionError`` unless ``assembly`` follows one of the assembly contracts."""
    import numpy as np
    import pandas as pd
    import xarray as xr

    assert isinstance(assembly, xr.DataArray), (
        f"{name} is a {type(assembly).__name__}, not an xarray DataArray")
    contract = _ASSEMBLY_CONTRACTS.get(tuple(assembly.dims))
    assert contract is not None, (
        f"{name} has dims {assembly.dims}; expected one of {list(_ASSEMBLY_CONTRACTS)}")
    assert not any(isinstance(i, pd.MultiIndex) for i in assembly.indexes.values()), (
        f"{name} has a MultiIndex; keep coordinates flat")
    for dim, coords in contract.items():
        for coord in coords:
            assert coord in assembly.coords, f"{name} lacks coordinate '{coord}' on '{dim}'"
            assert assembly[coord].dims == (dim,), (
                f"{name}: coordinate '{coord}' lies on {assembly[coord].dims}, not ('{dim}',)")
    assert all(size > 0 for size in assembly.shape), f"{name} is empty: {assembly.sizes}"
    if "time_bin" in assembly.dims:
        starts = assembly["time_bin_start"].values
        ends = assembly["time_bin_end"].values
        assert np.all(ends > starts), f"{name}: a time bin ends before it starts"
    if assembly.dims == ("time", "neuroid"):
        assert float(assembly.attrs.get("tr_s", 0)) > 0, f"{name} lacks a positive attr tr_s"
    if assembly.dtype.kind == "f":
        assert np.isfinite(assembly.values).any(), f"{name} holds no finite value"


def assert_stimulus_set_contract(stimulus_set: Any, identifier: str,
                                 probe_files: int = 5) -> None:
    """Raise unless ``stimulus_set`` is a valid StimulusSet; the first ``probe_files`` files are
    opened as media (all files must exist)."""
    from dynamic_vision.io.stimuli import StimulusSet

    assert isinstance(stimulus_set, StimulusSet), (
        f"'{identifier}' loads a {type(stimulus_set).__name__}, not a StimulusSet")
    assert len(stimulus_set), f"stimulus set '{identifier}' is empty"
    assert stimulus_set.identifier == identifier, (
        f"stimulus set registered as '{identifier}' calls itself "
        f"'{stimulus_set.identifier}'")
    stimulus_set.validate(media=False)
    stimulus_set.iloc[:probe_files].validate(media=True)


def _loadable(identifier: str) -> bool:
    from dynamic_vision.io.datasets import fetch, get_spec
    from dynamic_vision.io.user_data import on_disk

    spec = get_spec(identifier)
    if spec.access == "embedded":
        return True
    present = on_disk(spec)  # user-supplied trees and files resolved at run time
    if present is not None:
        return present
    return all(item.action == "present" for item in fetch(spec, dry_run=True))


@check("dataset")
@check("stimulus_set")
def check_data_loads_to_contract(identifier: str) -> None:
    """Embedded or already fetched data load and follow the assembly / stimulus-set contract."""
    if not _loadable(identifier):
        _skip(f"'{identifier}' is not on this machine; fetch it to run this check")
        return
    registry = _registry_of(identifier)
    kwargs = dict(registry.entry(identifier).metadata.get("test_load_kwargs", {}))
    loaded = registry.load(identifier, **kwargs)
    if registry.kind == "stimulus_set":
        assert_stimulus_set_contract(loaded, identifier)
        return
    assemblies = loaded if isinstance(loaded, Mapping) else {identifier: loaded}
    for name, assembly in assemblies.items():
        assert_assembly_contract(assembly, f"dataset '{identifier}' ({name})")


@check("stimulus_set")
def check_subset_loading(identifier: str) -> None:
    """A set that declares ``subset_loading`` returns rows of its full set for ``sample=`` and
    ``stimulus_ids=``."""
    import numpy as np
    import pandas as pd

    registry = _registry_of(identifier)
    metadata = registry.entry(identifier).metadata
    if not metadata.get("subset_loading"):
        _skip(f"'{identifier}' does not declare subset_loading")
        return
    if not _loadable(identifier):
        _skip(f"'{identifier}' is not on this machine; fetch it to run this check")
        return
    kwargs = dict(metadata.get("test_load_kwargs", {}))
    spread = registry.load(identifier, sample=3, **kwargs)
    every = registry.load(identifier, **kwargs)
    rows = np.unique(np.linspace(0, len(every) - 1, 3).astype(int))
    pd.testing.assert_frame_equal(pd.DataFrame(spread), pd.DataFrame(every.iloc[rows]),
                                  obj=f"'{identifier}' loaded with sample=3")
    wanted = list(every["stimulus_id"].iloc[rows[::-1]])
    picked = registry.load(identifier, stimulus_ids=wanted, **kwargs)
    assert list(picked["stimulus_id"]) == wanted, (
        f"'{identifier}' loaded with stimulus_ids={wanted} gave {list(picked['stimulus_id'])}")
