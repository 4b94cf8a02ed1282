"""Sample-quality metrics for generative models (chapter 9, Evaluating GANs).

Every function works on plain NumPy arrays: features (N, d) from some embedding network, or class
probabilities (N, K). In the book the embedding is the digit classifier trained in
:mod:`ganbook.classifier`, so the distances computed here are *Frechet distance and KID in the book's
digit-classifier features*. They are not Inception-FID or Inception-KID: those use the features of an
ImageNet Inception network, and numbers computed in different feature spaces cannot be compared.

- :func:`frechet_distance` (Heusel et al. 2017): the Frechet distance between Gaussians fitted to
  two feature sets; :func:`gaussian_frechet_distance` is the closed form it evaluates.
- :func:`kernel_distance` (Binkowski et al. 2018, KID): unbiased MMD^2 with the cubic polynomial kernel,
  averaged over random subsets.
- :func:`digit_score` (after the Inception Score of Salimans et al. 2016): exp E_x KL(p(y|x) || p(y)).
- :func:`precision_recall` (Kynkaanniemi et al. 2019): k-nearest-neighbour manifolds.
- :func:`nearest_neighbours` and :func:`memorisation_check`: nearest training neighbours of generated
  samples, compared with the distances of held-out real samples to the same training set.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "MemorisationReport",
    "PrecisionRecall",
    "digit_score",
    "frechet_distance",
    "gaussian_frechet_distance",
    "kernel_distance",
    "memorisation_check",
    "nearest_neighbours",
    "polynomial_mmd2",
    "precision_recall",
]


# --------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------


def _as_features(values: np.ndarray, name: str, min_rows: int = 2) -> np.ndarray:
    """Return ``values`` as a finite float64 (N, d) array with N >= min_rows, else ValueError."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a numeric array of shape (N, d); got {type(values).__name__}") from error
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"{name} must have shape (N, d); got shape {array.shape}")
    if array.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} rows; got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return array


def _as_flat(values: np.ndarray, name: str, min_rows: int = 1) -> np.ndarray:
    """Images (N, ...) or features (N, d) as a finite float64 (N, D) array."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a numeric array with one sample per row; got {type(values).__name__}") from error
    if array.ndim < 2:
        raise ValueError(f"{name} must have shape (N, ...) with at least 2 dimensions; got shape {array.shape}")
    return _as_features(array.reshape(len(array), -1), name, min_rows=min_rows)


def _same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of features; got {a.shape[1]} and {b.shape[1]}"
        )


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


# --------------------------------------------------------------------------------------------------
# Frechet distance
# --------------------------------------------------------------------------------------------------


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric positive semi-definite matrix (negative rounding clipped)."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def _trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """Tr((C_a C_b)^(1/2)) for symmetric PSD C_a, C_b.

    C_a C_b is not symmetric, but it is similar to S C_b S with S = C_a^(1/2) (symmetric PSD), so both
    have the same non-negative eigenvalues and Tr((C_a C_b)^(1/2)) = sum_i sqrt(lambda_i(S C_b S)).
    This needs only symmetric eigendecompositions, which are stable even when the covariances are
    singular (fewer samples than features), where a general matrix square root returns complex noise.
    """
    root_a = _psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def gaussian_frechet_distance(
    mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray
) -> float:
    """Frechet (2-Wasserstein squared) distance between N(mean_a, cov_a) and N(mean_b, cov_b) (chapter 9).

    ``||mean_a - mean_b||^2 + Tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))``: the closed form that
    :func:`frechet_distance` evaluates on fitted means and covariances. Covariances must be symmetric
    positive semi-definite.
    """
    means = []
    for name, mean in (("mean_a", mean_a), ("mean_b", mean_b)):
        mean = np.asarray(mean, dtype=np.float64)
        if mean.ndim != 1 or not np.all(np.isfinite(mean)):
            raise ValueError(f"{name} must be a finite vector of shape (d,); got shape {mean.shape}")
        means.append(mean)
    covs = []
    for name, cov, mean in (("cov_a", cov_a, means[0]), ("cov_b", cov_b, means[1])):
        cov = np.asarray(cov, dtype=np.float64)
        if cov.shape != (len(mean), len(mean)):
            raise ValueError(f"{name} must have shape ({len(mean)}, {len(mean)}); got {cov.shape}")
        if not np.all(np.isfinite(cov)):
            raise ValueError(f"{name} must contain only finite values")
        scale = max(1.0, float(np.max(np.abs(cov))))
        if not np.allclose(cov, cov.T, atol=1e-8 * scale):
            raise ValueError(f"{name} must be symmetric")
        if np.linalg.eigvalsh((cov + cov.T) / 2.0)[0] < -1e-6 * scale:
            raise ValueError(f"{name} must be positive semi-definite")
        covs.append(cov)
    if len(means[0]) != len(means[1]):
        raise ValueError(f"mean_a and mean_b must have the same length; got {len(means[0])} and {len(means[1])}")
    difference = means[0] - means[1]
    trace = np.trace(covs[0]) + np.trace(covs[1]) - 2.0 * _trace_sqrt_product(covs[0], covs[1])
    # Exact arithmetic gives a value >= 0; rounding can leave a tiny negative one.
    return max(float(difference @ difference + trace), 0.0)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (chapter 9; Heusel et al. 2017).

    Fits mean and covariance (unbiased, ``ddof=1``) to each (N, d) set and returns
    ``||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2))``. With Inception-v3 pool features this is
    the FID; with any other features it is a different number (the book uses its digit classifier's
    features, and calls the result FD-digits). The estimate is biased upwards at small N.
    """
    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    _same_width(a, b, "features_a", "features_b")
    return gaussian_frechet_distance(
        a.mean(axis=0), np.atleast_2d(np.cov(a, rowvar=False)), b.mean(axis=0), np.atleast_2d(np.cov(b, rowvar=False))
    )


# --------------------------------------------------------------------------------------------------
# Kernel distance (KID)
# --------------------------------------------------------------------------------------------------


def polynomial_mmd2(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Unbiased MMD^2 between two feature sets with the kernel k(x, y) = (x.y / d + 1)^3 (chapter 9).

    ``1/(m(m-1)) sum_{i!=j} k(a_i, a_j) + 1/(n(n-1)) sum_{i!=j} k(b_i, b_j) - 2/(mn) sum_{i,j} k(a_i, b_j)``
    (Gretton et al. 2012; the kernel of Binkowski et al. 2018). Unbiased, so it can be slightly negative.
    """
    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    _same_width(a, b, "features_a", "features_b")
    return _mmd2_unbiased(a, b)


def _cubic_kernel(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """The matrix (x_i . y_j / d + 1)^3, with products instead of a slow float power."""
    kernel = x @ y.T
    kernel /= d
    kernel += 1.0
    kernel *= kernel * kernel
    return kernel


def _mmd2_unbiased(a: np.ndarray, b: np.ndarray) -> float:
    d = a.shape[1]
    m, n = len(a), len(b)
    k_aa, k_bb, k_ab = (_cubic_kernel(x, y, d) for x, y in ((a, a), (b, b), (a, b)))
    sum_aa = k_aa.sum() - np.trace(k_aa)
    sum_bb = k_bb.sum() - np.trace(k_bb)
    return float(sum_aa / (m * (m - 1)) + sum_bb / (n * (n - 1)) - 2.0 * k_ab.sum() / (m * n))


def kernel_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    subsets: int = 100,
    subset_size: int | None = None,
    seed: int = 0,
) -> float:
    """Kernel distance (KID) between two feature sets (chapter 9; Binkowski et al. 2018).

    The mean, over ``subsets`` random subsets of ``subset_size`` rows drawn (without replacement) from
    each set, of :func:`polynomial_mmd2`. ``subset_size`` defaults to min(1000, N_a, N_b), the reference
    implementation's 1000 when there are enough samples. Unlike the Frechet distance it is an unbiased
    estimate at every sample size; like it, its value depends entirely on the feature space.
    """
    a = _as_features(features_a, "features_a")
    b = _as_features(features_b, "features_b")
    _same_width(a, b, "features_a", "features_b")
    subsets = _positive_int(subsets, "subsets")
    if subset_size is None:
        subset_size = min(1000, len(a), len(b))
    subset_size = _positive_int(subset_size, "subset_size")
    if subset_size < 2 or subset_size > min(len(a), len(b)):
        raise ValueError(
            f"subset_size must be between 2 and the smaller set size ({min(len(a), len(b))}); got {subset_size}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    if subset_size == len(a) == len(b):
        return _mmd2_unbiased(a, b)  # every "subset" is the whole of both sets: one evaluation suffices
    rng = np.random.default_rng(int(seed))
    values = [
        _mmd2_unbiased(
            a[rng.choice(len(a), subset_size, replace=False)], b[rng.choice(len(b), subset_size, replace=False)]
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values))


# --------------------------------------------------------------------------------------------------
# Digit score (an Inception-Score analogue)
# --------------------------------------------------------------------------------------------------


def digit_score(probabilities: np.ndarray, splits: int = 1) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from classifier probabilities (N, K) (chapter 9).

    The Inception Score of Salimans et al. (2016) computed with the book's digit classifier instead of
    Inception-v3: p(y) is the mean of the rows. It lies between 1 (every sample gets the same prediction,
    or every prediction is uniform) and K (confident predictions, all K classes equally often). With
    ``splits`` > 1 the rows are cut into that many equal parts and the scores are averaged, as in the
    original code.
    """
    p = _as_features(probabilities, "probabilities", min_rows=1)
    if np.any(p < 0.0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("probabilities must be non-negative with rows summing to 1 (apply a softmax to logits)")
    splits = _positive_int(splits, "splits")
    if splits > len(p):
        raise ValueError(f"splits must not exceed the number of rows ({len(p)}); got {splits}")
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0.0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(np.exp(terms.sum(axis=1).mean()))
    return float(np.mean(scores))


# --------------------------------------------------------------------------------------------------
# Nearest neighbours, precision and recall, memorisation
# --------------------------------------------------------------------------------------------------


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (len(a), len(b)), clipped at 0 against rounding."""
    distances = (a * a).sum(axis=1)[:, None] - 2.0 * (a @ b.T) + (b * b).sum(axis=1)[None, :]
    return np.maximum(distances, 0.0)


def nearest_neighbours(
    queries: np.ndarray, references: np.ndarray, k: int = 1, batch_size: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distances and indices of the ``k`` nearest ``references`` of each query (chapter 9).

    Rows may be images (N, 28, 28, 1) or features (N, d); they are flattened. Returns two (N_q, k)
    arrays, nearest first. Computed in batches of ``batch_size`` queries to bound memory.
    """
    q = _as_flat(queries, "queries")
    r = _as_flat(references, "references")
    _same_width(q, r, "queries", "references")
    k = _positive_int(k, "k")
    if k > len(r):
        raise ValueError(f"k must not exceed the number of references ({len(r)}); got {k}")
    batch_size = _positive_int(batch_size, "batch_size")
    all_distances, all_indices = [], []
    for start in range(0, len(q), batch_size):
        squared = _squared_distances(q[start : start + batch_size], r)
        if k < len(r):
            candidates = np.argpartition(squared, k - 1, axis=1)[:, :k]
        else:
            candidates = np.tile(np.arange(len(r)), (len(squared), 1))
        picked = np.take_along_axis(squared, candidates, axis=1)
        order = np.argsort(picked, axis=1, kind="stable")
        all_indices.append(np.take_along_axis(candidates, order, axis=1))
        all_distances.append(np.sqrt(np.take_along_axis(picked, order, axis=1)))
    return np.concatenate(all_distances), np.concatenate(all_indices)


def _knn_radii(features: np.ndarray, k: int, batch_size: int) -> np.ndarray:
    """Distance from each row to its k-th nearest *other* row of the same set."""
    radii = []
    for start in range(0, len(features), batch_size):
        squared = _squared_distances(features[start : start + batch_size], features)
        # Position 0 of the sorted row is the point itself (distance 0), so the k-th neighbour is at k.
        radii.append(np.sqrt(np.partition(squared, k, axis=1)[:, k]))
    return np.concatenate(radii)


def _inside_manifold(queries: np.ndarray, support: np.ndarray, radii: np.ndarray, batch_size: int) -> np.ndarray:
    """For each query: is it within radii[j] of some support point j?"""
    inside = []
    for start in range(0, len(queries), batch_size):
        squared = _squared_distances(queries[start : start + batch_size], support)
        inside.append(np.any(squared <= radii[None, :] ** 2, axis=1))
    return np.concatenate(inside)


class PrecisionRecall(NamedTuple):
    """Precision (fraction of generated samples on the real manifold) and recall, the converse (chapter 9)."""

    precision: float
    recall: float


def precision_recall(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = 3, batch_size: int = 1024
) -> PrecisionRecall:
    """Improved precision and recall of Kynkaanniemi et al. (2019) (chapter 9).

    Each set's manifold is the union of balls around its points, each ball reaching to the point's
    k-th nearest neighbour in the same set. Precision is the fraction of fake samples inside the real
    manifold (quality); recall is the fraction of real samples inside the fake manifold (coverage).
    The paper uses k = 3 and equal set sizes.
    """
    real = _as_features(real_features, "real_features")
    fake = _as_features(fake_features, "fake_features")
    _same_width(real, fake, "real_features", "fake_features")
    k = _positive_int(k, "k")
    if k >= min(len(real), len(fake)):
        raise ValueError(f"k must be smaller than both set sizes ({len(real)}, {len(fake)}); got {k}")
    batch_size = _positive_int(batch_size, "batch_size")
    real_radii = _knn_radii(real, k, batch_size)
    fake_radii = _knn_radii(fake, k, batch_size)
    precision = _inside_manifold(fake, real, real_radii, batch_size).mean()
    recall = _inside_manifold(real, fake, fake_radii, batch_size).mean()
    return PrecisionRecall(float(precision), float(recall))


class MemorisationReport(NamedTuple):
    """Result of :func:`memorisation_check` (chapter 9).

    ``generated_distances`` and ``nearest_train`` give, for each generated sample, the distance to and
    index of its nearest training sample; ``test_distances`` the same distance for held-out real samples;
    ``threshold`` is the ``quantile`` of ``test_distances``; ``fraction_below`` the fraction of generated
    samples nearer to the training set than that (about ``quantile`` for a generator that does not copy,
    close to 1 for one that does); ``median_ratio`` the generated median distance over the test median.
    """

    generated_distances: np.ndarray
    nearest_train: np.ndarray
    test_distances: np.ndarray
    threshold: float
    fraction_below: float
    median_ratio: float


def memorisation_check(
    generated: np.ndarray, train: np.ndarray, test: np.ndarray, quantile: float = 0.01
) -> MemorisationReport:
    """Nearest training neighbours of generated samples, against those of held-out data (chapter 9).

    A generator that copies its training set puts its samples much nearer to training samples than
    new real samples (``test``, never trained on) are. Distances are Euclidean, in whatever space the
    rows live in (pixels for images; features if features are passed).
    """
    if isinstance(quantile, bool) or not isinstance(quantile, (float, int)) or not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be a number strictly between 0 and 1; got {quantile!r}")
    generated = _as_flat(generated, "generated")
    train = _as_flat(train, "train")
    test = _as_flat(test, "test")
    _same_width(generated, train, "generated", "train")
    _same_width(test, train, "test", "train")
    generated_distances, nearest = nearest_neighbours(generated, train, k=1)
    test_distances, _ = nearest_neighbours(test, train, k=1)
    generated_distances, test_distances = generated_distances[:, 0], test_distances[:, 0]
    threshold = float(np.quantile(test_distances, quantile))
    test_median = float(np.median(test_distances))
    ratio = float(np.median(generated_distances) / test_median) if test_median > 0 else float("inf")
    return MemorisationReport(
        generated_distances=generated_distances,
        nearest_train=nearest[:, 0],
        test_distances=test_distances,
        threshold=threshold,
        fraction_below=float(np.mean(generated_distances <= threshold)),
        median_ratio=ratio,
    )
