"""discover_themes on real MiniLM embeddings of an eight-theme feedback corpus."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.metrics import adjusted_rand_score, homogeneity_score

from nlp.discovery import discover_themes, sample_params
from nlp.types import DiscoveryParams, DiscoveryResult

Corpus = tuple[list[str], list[str]]


@pytest.fixture(scope="module")
def result(corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]) -> DiscoveryResult:
    return discover_themes(corpus_embeddings, corpus[0], seed=7)


def test_themes_follow_the_written_topics(result: DiscoveryResult, corpus: Corpus) -> None:
    # Themes may split by phrasing, but must not mix topics.
    assert homogeneity_score(corpus[1], result.labels) > 0.9
    assert adjusted_rand_score(corpus[1], result.labels) > 0.5
    assert 6 <= len(result.themes) <= 24
    assert result.coverage > 0.95


def test_same_input_and_seed_give_identical_output(
    result: DiscoveryResult, corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]
) -> None:
    again = discover_themes(corpus_embeddings, corpus[0], seed=7)
    assert np.array_equal(again.labels, result.labels)
    assert [t.label for t in again.themes] == [t.label for t in result.themes]
    assert [t.keywords for t in again.themes] == [t.keywords for t in result.themes]


def test_labels_are_short_readable_and_distinct(result: DiscoveryResult) -> None:
    labels = [t.label for t in result.themes]
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert "_" not in label
        assert 1 <= len(label.split()) <= 5
        assert label[0].isupper()
        assert re.fullmatch(r"[\w' -]+", label)


def test_theme_details_are_consistent(result: DiscoveryResult, corpus: Corpus) -> None:
    for theme in result.themes:
        members = np.flatnonzero(result.labels == theme.index)
        assert theme.size == members.size
        assert 3 <= len(theme.representative_indices) <= DiscoveryParams().n_representatives
        assert set(theme.representative_indices) <= set(members.tolist())
        reps = [corpus[0][i].lower() for i in theme.representative_indices]
        assert len(set(reps)) == len(reps)
        assert 0 < len(theme.keywords) <= 10
        assert abs(float(np.linalg.norm(theme.centroid)) - 1.0) < 1e-4
    assigned = result.labels >= 0
    assert np.all((result.confidence > 0) == assigned)
    assert np.all((result.confidence >= 0) & (result.confidence <= 1))
    assert result.n_clustered + result.n_assigned_from_noise == int(assigned.sum())


def test_outliers_stay_unassigned(
    corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]
) -> None:
    texts = [*corpus[0], "xq"]
    rng = np.random.default_rng(3)
    odd = rng.normal(size=(1, corpus_embeddings.shape[1])).astype(np.float32)
    embeddings = np.vstack([corpus_embeddings, odd / np.linalg.norm(odd)])
    outcome = discover_themes(embeddings, texts, seed=7)
    assert outcome.labels[-1] == -1
    assert outcome.confidence[-1] == 0.0
    assert outcome.coverage < 1.0


def test_large_inputs_discover_on_a_sample_and_assign_the_rest(
    corpus: Corpus, corpus_embeddings: npt.NDArray[np.float32]
) -> None:
    params = dataclasses.replace(DiscoveryParams.for_size(len(corpus[0])), sample_size=200)
    outcome = discover_themes(corpus_embeddings, corpus[0], seed=7, params=params)
    assert outcome.n_clustered <= 200
    assert adjusted_rand_score(corpus[1], outcome.labels) > 0.5
    assert outcome.coverage > 0.9


def test_default_params_grow_with_the_data() -> None:
    small, large = DiscoveryParams.for_size(300), DiscoveryParams.for_size(1_000_000)
    assert small.min_cluster_size < large.min_cluster_size
    assert large.sample_size < 1_000_000


def test_no_items_give_no_themes() -> None:
    outcome = discover_themes(np.zeros((0, 384), np.float32), [])
    assert outcome.themes == ()
    assert outcome.labels.shape == (0,)


def test_a_sample_looks_for_themes_of_the_same_share_as_a_full_run() -> None:
    params = DiscoveryParams.for_size(100_000)
    assert sample_params(params, 100_000, 100_000) == params
    scaled = sample_params(params, 100_000, 20_000)
    assert scaled.min_cluster_size == max(15, round(params.min_cluster_size / 5))
    assert sample_params(params, 22_500, 20_000).min_cluster_size == round(
        params.min_cluster_size * 20_000 / 22_500
    )
    assert sample_params(params, 10_000_000, 20_000).min_cluster_size == 15
