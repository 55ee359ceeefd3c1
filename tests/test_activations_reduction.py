"""Width reductions against independent references (explicit matrices, scikit-learn), and the
layout helpers (windows, chunks)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from dynamic_vision.modeling.activations.reduction import (
    NoReduction,
    PCAReduction,
    SparseRandomProjection,
    make_reducer,
    sparse_projection_entries,
)
from dynamic_vision.modeling.activations.windows import (
    block_windows,
    causal_windows,
    kept_block_steps,
    static_image_steps,
)


def test_sparse_entries_follow_li_hastie_church():
    p, k = 40_000, 300
    rows, cols, values = sparse_projection_entries(p, k, seed=3, block=4096)
    s = math.sqrt(p)
    # Density 1/sqrt(p): expected nnz = p k / s = 60 000, sd ≈ 245.
    assert abs(rows.size - p * k / s) < 5 * math.sqrt(p * k / s)
    assert rows.min() >= 0 and rows.max() < p and cols.min() >= 0 and cols.max() < k
    assert len(np.unique(rows * k + cols)) == rows.size  # no position drawn twice
    np.testing.assert_allclose(np.abs(values), math.sqrt(s / k), rtol=1e-6)
    assert abs(np.mean(values > 0) - 0.5) < 0.02
    again = sparse_projection_entries(p, k, seed=3, block=4096)
    for a, b in zip((rows, cols, values), again):
        np.testing.assert_array_equal(a, b)


def test_projection_equals_explicit_matrix():
    p, k = 5000, 64
    x = torch.randn(7, p, generator=torch.Generator().manual_seed(0))
    rows, cols, values = sparse_projection_entries(p, k, seed=0)
    explicit = np.zeros((p, k), np.float64)
    explicit[rows, cols] = values
    projection = SparseRandomProjection(k, seed=0)
    assert projection.matrix(p).layout == torch.sparse_csr
    np.testing.assert_allclose(projection.transform("l", x).numpy(),
                               x.double().numpy() @ explicit, atol=1e-4)


def test_projection_preserves_norms_on_average():
    p, k = 20_000, 500
    x = torch.randn(200, p, generator=torch.Generator().manual_seed(1))
    y = SparseRandomProjection(k, seed=0).transform("l", x)
    ratio = (y.norm(dim=1) / x.norm(dim=1)).numpy()
    assert abs(ratio.mean() - 1) < 0.02 and ratio.std() < 0.06  # ≈ 1/sqrt(2k) = 0.032


def test_narrow_layers_are_kept_as_is():
    x = torch.randn(3, 10)
    assert SparseRandomProjection(16).transform("l", x) is x
    assert NoReduction().transform("l", x) is x


def test_pca_matches_scikit_learn_up_to_sign():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((120, 8)) @ rng.standard_normal((8, 50)) + rng.standard_normal(50)
    reducer = PCAReduction(n_components=5, fit_samples=100)
    for start in range(0, 120, 40):  # rows arrive in batches; only the first 100 are used
        reducer.collect("l", torch.from_numpy(data[start:start + 40]))
    reducer.finish_fit()
    ours = reducer.transform("l", torch.from_numpy(data).float()).numpy()
    reference = PCA(n_components=5, svd_solver="full").fit(data[:100]).transform(data)
    signs = np.sign(np.sum(ours * reference, axis=0))
    np.testing.assert_allclose(ours * signs, reference, atol=1e-3)


def test_pca_must_be_fitted_first():
    with pytest.raises(RuntimeError, match="not fitted"):
        PCAReduction(4).transform("layer3", torch.zeros(2, 10))


def test_make_reducer_names():
    assert isinstance(make_reducer("random_projection", 10), SparseRandomProjection)
    assert isinstance(make_reducer("pca", 10), PCAReduction)
    assert isinstance(make_reducer(None), NoReduction)
    with pytest.raises(ValueError, match="Unknown reduction 'umap'"):
        make_reducer("umap")


def test_windows():
    np.testing.assert_array_equal(block_windows(6, 4), [[0, 1, 2, 3], [4, 5, 5, 5]])
    np.testing.assert_array_equal(causal_windows(3, 3), [[0, 0, 0], [0, 0, 1], [0, 1, 2]])
    assert kept_block_steps(6, 4, steps_per_window=2) == 3  # the 4th step is all padding
    assert kept_block_steps(6, 4, steps_per_window=1) == 2
    assert static_image_steps(100.0, 10.0) == 1
    assert static_image_steps(150.0, 15.0) == 3
    assert static_image_steps(float("nan"), 15.0) == 1


def test_causal_windows_with_a_stride():
    # Windows end at frames 0, 2, 4 (every second frame); frames before the clip are frame 0.
    np.testing.assert_array_equal(causal_windows(5, 3, stride=2),
                                  [[0, 0, 0], [0, 1, 2], [2, 3, 4]])
    np.testing.assert_array_equal(causal_windows(1, 2, stride=4), [[0, 0]])


def test_window_rule_maps_outputs_to_milliseconds():
    from dynamic_vision.modeling.activations.windows import WindowRule, default_stride
    from dynamic_vision.modeling.spec import ModelSpec

    video = ModelSpec("v", "video", ("a",), 32, 15.0, clip_length=16)
    causal = WindowRule.for_spec(video)
    assert (causal.mode, causal.stride) == ("causal", 8) and default_stride(16, 15.0) == 8
    # Half a second bounds long clips: 32 frames at 15 fps, 16 frames at 7.5 fps.
    assert default_stride(32, 15.0) == 8 and default_stride(16, 7.5) == 4
    assert default_stride(4, 15.0) == 2 and default_stride(1, 15.0) == 1
    assert causal.step_ms(steps_per_unit=1) == pytest.approx(8000 / 15)
    assert causal.stored_steps(15, static=False, steps_per_unit=1) == 2  # ends at frames 0, 8
    assert causal.broadcasts(static=True) and causal.presented_steps(1000.0) == 2
    block = WindowRule.for_spec(video, "block")
    assert block.step_ms(steps_per_unit=2) == pytest.approx(8000 / 15)  # T' = 2 per window
    assert block.stored_steps(15, static=False, steps_per_unit=16) == 15
    assert block.settings() != causal.settings()
    assert WindowRule.for_spec(video, "causal", 1).settings()["stride"] == 1
    image = WindowRule.for_spec(ModelSpec("i", "image", ("a",), 32, 15.0), "block")
    assert image.settings() == {"mode": "frame"} and image.step_ms(1) == pytest.approx(1000 / 15)
    with pytest.raises(ValueError, match="window must be one of"):
        WindowRule.for_spec(video, "sliding")
    with pytest.raises(ValueError, match="window_stride must be a positive"):
        WindowRule.for_spec(video, "causal", 0)
