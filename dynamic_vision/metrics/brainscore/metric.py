"""Factories of the ``brainscore.*`` metrics (see :mod:`dynamic_vision.metric_kinds.brainscore`)."""

from __future__ import annotations

from typing import Any

from dynamic_vision.metric_kinds.brainscore import (
    BrainScoreBehaviorMetric,
    BrainScoreRegressionMetric,
    BrainScoreSimilarityMetric,
)

__all__ = ["build_regression", "build_similarity", "build_behavior"] + [
    f"build_{kind}_{name}" for kind, names in (
        ("regression", ("pls", "ridge", "linear_predictivity", "ridgecv")),
        ("similarity", ("rdm", "cka", "cka_biased", "rdm_cv", "cka_cv")),
        ("behavior", ("i2n", "i1n", "i1"))) for name in names]


def build_regression(estimator: str, **options: Any) -> BrainScoreRegressionMetric:
    """Brain-Score's regression predictivity (``splits=``, ``stratify_coord=``,
    ``min_test_stimuli=``, ... see :class:`BrainScoreRegressionMetric`)."""
    return BrainScoreRegressionMetric(estimator, **options)


def build_similarity(similarity: str, cross_validated: bool = False,
                     **options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's RDM / CKA similarity (see :class:`BrainScoreSimilarityMetric`)."""
    return BrainScoreSimilarityMetric(similarity, cross_validated=cross_validated, **options)


def build_behavior(signature: str, **options: Any) -> BrainScoreBehaviorMetric:
    """Brain-Score's behavioural consistency (``halves=``, ... see
    :class:`BrainScoreBehaviorMetric`)."""
    return BrainScoreBehaviorMetric(signature, **options)




def build_regression_pls(**options: Any) -> BrainScoreRegressionMetric:
    """Brain-Score's ``pls``."""
    return build_regression("pls", **options)


def build_regression_ridge(**options: Any) -> BrainScoreRegressionMetric:
    """Brain-Score's ``ridge``."""
    return build_regression("ridge", **options)


def build_regression_linear_predictivity(**options: Any) -> BrainScoreRegressionMetric:
    """Brain-Score's ``linear_predictivity``."""
    return build_regression("linear_predictivity", **options)


def build_regression_ridgecv(**options: Any) -> BrainScoreRegressionMetric:
    """Brain-Score's ``ridgecv``."""
    return build_regression("ridgecv", **options)


def build_similarity_rdm(**options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's ``rdm``."""
    return build_similarity("rdm", **options)


def build_similarity_cka(**options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's ``cka``."""
    return build_similarity("cka", **options)


def build_similarity_cka_biased(**options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's ``cka_biased``."""
    return build_similarity("cka_biased", **options)


def build_similarity_rdm_cv(**options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's ``rdm_cv``."""
    return build_similarity("rdm", cross_validated=True, **options)


def build_similarity_cka_cv(**options: Any) -> BrainScoreSimilarityMetric:
    """Brain-Score's ``cka_cv``."""
    return build_similarity("cka", cross_validated=True, **options)


def build_behavior_i2n(**options: Any) -> BrainScoreBehaviorMetric:
    """Brain-Score's ``i2n``."""
    return build_behavior("i2n", **options)


def build_behavior_i1n(**options: Any) -> BrainScoreBehaviorMetric:
    """Brain-Score's ``i1n``."""
    return build_behavior("i1n", **options)


def build_behavior_i1(**options: Any) -> BrainScoreBehaviorMetric:
    """Brain-Score's ``i1``."""
    return build_behavior("i1", **options)
