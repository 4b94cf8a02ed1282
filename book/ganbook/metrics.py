"""Sample-quality metrics for generative models (chapter 9, Evaluating GANs).

Every function works on plain NumPy arrays: features (N, d) from some embedding network, or class
probabilities (N, K). In the book the embedding is the digit classifier trained in
:mod:`ganbook.classifier`, so the distances computed here are *Frechet distance and KID in the
book's digit-classifier features*. They are not Inception-FID or Inception-KID: those use the
features of an ImageNet Inception network, and numbers computed in different feature spaces cannot
be compared.

- :func:`frechet_distance` (Heusel et al. 2017): the Frechet distance between Gaussians fitted to
  two feature sets; :func:`gaussian_frechet_distance` is the closed form it evaluates.
- :func:`kernel_distance` (Binkowski et al. 2018, KID): unbiased MMD^2 with the cubic polynomial
  kernel, averaged over random subsets.
- :func:`digit_score` (after the Inception Score of Salimans et al. 2016):
  exp E_x KL(p(y|x) || p(y)).
- :func:`precision_recall` (Kynkaanniemi et al. 2019): k-nearest-neighbour manifolds.
- :func:`nearest_neighbours` and :func:`memorisation_check`: nearest training neighbours of
  generated samples, compared with the distances of held-out real samples to the same training set;
  :func:`shifted_nearest_neighbours` lets a pixel distance see copies moved by a few pixels.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ganbook import checks

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
    "shifted_nearest_neighbours",
]


# --------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------


def _rows(name: str, values: Any, min_rows: int = 2, images: bool = False) -> np.ndarray:
    """``values`` as a finite float64 (N, d) array with N >= min_rows and d >= 1.

    With ``images`` the rows may also be images (N, H, W) or (N, H, W, C); they are flattened.
    """
    ranks = (2, 3, 4) if images else 2
    array = checks.array(name, values, ndim=ranks, min_length=min_rows, dtype=np.float64)
    array = array.reshape(len(array), -1)
    if array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature per row; got shape {array.shape}")
    return array


def _same_width(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same number of features; "
            f"got {a.shape[1]} and {b.shape[1]}"
        )


# --------------------------------------------------------------------------------------------------
# Frechet distance
# --------------------------------------------------------------------------------------------------


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix (negative rounding errors clipped)."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2.0)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def _trace_sqrt_product(cov_a: np.ndarray, cov_b: np.ndarray) -> float:
    """Tr((C_a C_b)^(1/2)) for symmetric PSD C_a, C_b.

    C_a C_b is not symmetric, but it is similar to S C_b S with S = C_a^(1/2) (symmetric PSD), so
    both have the same non-negative eigenvalues and
    Tr((C_a C_b)^(1/2)) = sum_i sqrt(lambda_i(S C_b S)). This needs only symmetric
    eigendecompositions, which are stable even when the covariances are singular (fewer samples
    than features), where a general matrix square root returns complex noise.
    """
    root_a = _psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def gaussian_frechet_distance(
    mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray
) -> float:
    """Frechet distance (squared 2-Wasserstein) of two Gaussians N(mean, cov) (chapter 9).

    ``||mean_a - mean_b||^2 + Tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))``: the closed form that
    :func:`frechet_distance` evaluates on fitted means and covariances. Covariances must be
    symmetric positive semi-definite.
    """
    means = [
        checks.array(name, mean, ndim=1, dtype=np.float64)
        for name, mean in (("mean_a", mean_a), ("mean_b", mean_b))
    ]
    if len(means[0]) != len(means[1]):
        raise ValueError(
            f"mean_a and mean_b must have the same length; got {len(means[0])} and {len(means[1])}"
        )
    covs = []
    for name, cov, mean in (("cov_a", cov_a, means[0]), ("cov_b", cov_b, means[1])):
        cov = checks.array(name, cov, shape=(len(mean), len(mean)), dtype=np.float64)
        scale = max(1.0, float(np.max(np.abs(cov))))
        if not np.allclose(cov, cov.T, atol=1e-8 * scale):
            raise ValueError(f"{name} must be symmetric")
        if np.linalg.eigvalsh((cov + cov.T) / 2.0)[0] < -1e-6 * scale:
            raise ValueError(f"{name} must be positive semi-definite")
        covs.append(cov)
    difference = means[0] - means[1]
    trace = np.trace(covs[0]) + np.trace(covs[1]) - 2.0 * _trace_sqrt_product(covs[0], covs[1])
    # Exact arithmetic gives a value >= 0; rounding can leave a tiny negative one.
    return max(float(difference @ difference + trace), 0.0)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Frechet distance of Gaussians fitted to two feature sets (chapter 9; Heusel et al. 2017).

    Fits mean and covariance (unbiased, ``ddof=1``) to each (N, d) set and returns
    ``||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2))``. With Inception-v3 pool features this
    is the FID; with any other features it is a different number (the book uses its digit
    classifier's features, and calls the result FD-digits). The estimate is biased upwards at
    small N.
    """
    a = _rows("features_a", features_a)
    b = _rows("features_b", features_b)
    _same_width(a, b, "features_a", "features_b")
    cov_a, cov_b = (np.atleast_2d(np.cov(x, rowvar=False)) for x in (a, b))
    return gaussian_frechet_distance(a.mean(axis=0), cov_a, b.mean(axis=0), cov_b)


# --------------------------------------------------------------------------------------------------
# Kernel distance (KID)
# --------------------------------------------------------------------------------------------------


def polynomial_mmd2(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Unbiased MMD^2 of two feature sets with the kernel k(x, y) = (x.y / d + 1)^3 (chapter 9).

    ``1/(m(m-1)) sum_{i!=j} k(a_i, a_j) + 1/(n(n-1)) sum_{i!=j} k(b_i, b_j)
    - 2/(mn) sum_{i,j} k(a_i, b_j)`` (Gretton et al. 2012; the kernel of Binkowski et al. 2018).
    Unbiased, so it can be slightly negative.
    """
    a = _rows("features_a", features_a)
    b = _rows("features_b", features_b)
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

    The mean, over ``subsets`` random subsets of ``subset_size`` rows drawn (without replacement)
    from each set, of :func:`polynomial_mmd2`. ``subset_size`` defaults to min(1000, N_a, N_b), the
    reference implementation's 1000 when there are enough samples. Unlike the Frechet distance it is
    an unbiased estimate at every sample size; like it, its value depends entirely on the feature
    space.
    """
    a = _rows("features_a", features_a)
    b = _rows("features_b", features_b)
    _same_width(a, b, "features_a", "features_b")
    subsets = checks.positive_int("subsets", subsets)
    smaller = min(len(a), len(b))
    if subset_size is None:
        subset_size = min(1000, smaller)
    subset_size = checks.integer("subset_size", subset_size, minimum=2, maximum=smaller)
    rng = np.random.default_rng(checks.non_negative_int("seed", seed))
    if subset_size == len(a) == len(b):
        return _mmd2_unbiased(a, b)  # every "subset" is both whole sets: one evaluation suffices
    values = [
        _mmd2_unbiased(
            a[rng.choice(len(a), subset_size, replace=False)],
            b[rng.choice(len(b), subset_size, replace=False)],
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values))


# --------------------------------------------------------------------------------------------------
# Digit score (an Inception-Score analogue)
# --------------------------------------------------------------------------------------------------


def digit_score(probabilities: np.ndarray, splits: int = 1) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from classifier probabilities (N, K) (chapter 9).

    The Inception Score of Salimans et al. (2016) computed with the book's digit classifier instead
    of Inception-v3: p(y) is the mean of the rows. It lies between 1 (every sample gets the same
    prediction, or every prediction is uniform) and K (confident predictions, all K classes equally
    often). With ``splits`` > 1 the rows are cut into that many equal parts and the scores are
    averaged, as in the original code.
    """
    p = _rows("probabilities", probabilities, min_rows=1)
    if np.any(p < 0.0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(
            "probabilities must be non-negative with rows summing to 1 (apply a softmax to logits)"
        )
    splits = checks.integer("splits", splits, minimum=1, maximum=len(p))
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
    """Distances to and indices of the ``k`` nearest ``references`` of each query (chapter 9).

    Rows may be images (N, 28, 28, 1) or features (N, d); they are flattened. Returns two (N_q, k)
    arrays, nearest first. Computed in batches of ``batch_size`` queries to bound memory.
    """
    q = _rows("queries", queries, min_rows=1, images=True)
    r = _rows("references", references, min_rows=1, images=True)
    _same_width(q, r, "queries", "references")
    k = checks.integer("k", k, minimum=1, maximum=len(r))
    batch_size = checks.positive_int("batch_size", batch_size)
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
        # Position 0 of the sorted row is the point itself (distance 0): the k-th neighbour is at k.
        radii.append(np.sqrt(np.partition(squared, k, axis=1)[:, k]))
    return np.concatenate(radii)


def _inside_manifold(
    queries: np.ndarray, support: np.ndarray, radii: np.ndarray, batch_size: int
) -> np.ndarray:
    """For each query: is it within radii[j] of some support point j?"""
    inside = []
    for start in range(0, len(queries), batch_size):
        squared = _squared_distances(queries[start : start + batch_size], support)
        inside.append(np.any(squared <= radii[None, :] ** 2, axis=1))
    return np.concatenate(inside)


class PrecisionRecall(NamedTuple):
    """Precision and recall of :func:`precision_recall` (chapter 9).

    Precision is the fraction of generated samples on the real manifold; recall the converse.
    """

    precision: float
    recall: float


def precision_recall(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = 3, batch_size: int = 1024
) -> PrecisionRecall:
    """Improved precision and recall of Kynkaanniemi et al. (2019) (chapter 9).

    Each set's manifold is the union of balls around its points, each ball reaching to the point's
    k-th nearest neighbour in the same set. Precision is the fraction of fake samples inside the
    real manifold (quality); recall is the fraction of real samples inside the fake manifold
    (coverage). The paper uses k = 3 and equal set sizes.
    """
    real = _rows("real_features", real_features)
    fake = _rows("fake_features", fake_features)
    _same_width(real, fake, "real_features", "fake_features")
    k = checks.integer("k", k, minimum=1, maximum=min(len(real), len(fake)) - 1)
    batch_size = checks.positive_int("batch_size", batch_size)
    real_radii = _knn_radii(real, k, batch_size)
    fake_radii = _knn_radii(fake, k, batch_size)
    precision = _inside_manifold(fake, real, real_radii, batch_size).mean()
    recall = _inside_manifold(real, fake, fake_radii, batch_size).mean()
    return PrecisionRecall(float(precision), float(recall))


class MemorisationReport(NamedTuple):
    """Result of :func:`memorisation_check` (chapter 9).

    ``generated_distances`` and ``nearest_train`` give, for each generated sample, the distance to
    and index of its nearest training sample; ``test_distances`` the same distance for held-out real
    samples; ``threshold`` is the ``quantile`` of ``test_distances``; ``fraction_below`` the
    fraction of generated samples nearer to the training set than that (about ``quantile`` for a
    generator that does not copy, close to 1 for one that does); ``median_ratio`` the generated
    median distance over the test median.
    """

    generated_distances: np.ndarray
    nearest_train: np.ndarray
    test_distances: np.ndarray
    threshold: float
    fraction_below: float
    median_ratio: float


def _shifted(images: np.ndarray, max_shift: int, fill: float) -> list[np.ndarray]:
    """``images`` (N, H, W, C) moved by every (dy, dx) in [-max_shift, max_shift]^2, flattened."""
    size = max_shift
    padded = np.pad(images, ((0, 0), (size, size), (size, size), (0, 0)), constant_values=fill)
    height, width = images.shape[1:3]
    return [
        padded[:, size + dy : size + dy + height, size + dx : size + dx + width].reshape(
            len(images), -1
        )
        for dy in range(-size, size + 1)
        for dx in range(-size, size + 1)
    ]


def shifted_nearest_neighbours(
    queries: np.ndarray,
    references: np.ndarray,
    max_shift: int = 2,
    fill: float = -1.0,
    batch_size: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest reference of each query image over shifts of the query (chapter 9).

    Each query image (N, H, W) or (N, H, W, C) is moved by every whole-pixel shift of at most
    ``max_shift`` in each direction (uncovered pixels get ``fill``, the background of images in
    [-1, 1]); its distance is the smallest pixel distance, over shifts, to any reference. A copy
    moved by a pixel or two is then as near as the copy itself. Returns the distances (N,) and the
    indices of the nearest references (N,).
    """
    q = checks.array("queries", queries, ndim=(3, 4), min_length=1, dtype=np.float64)
    r = checks.array("references", references, ndim=(3, 4), min_length=1, dtype=np.float64)
    q, r = (x[..., None] if x.ndim == 3 else x for x in (q, r))
    if q.shape[1:] != r.shape[1:]:
        raise ValueError(
            f"queries and references must be images of one shape; got {q.shape[1:]} and "
            f"{r.shape[1:]}"
        )
    max_shift = checks.integer("max_shift", max_shift, minimum=0, maximum=min(q.shape[1:3]) - 1)
    fill = checks.number("fill", fill)
    batch_size = checks.positive_int("batch_size", batch_size)
    flat = r.reshape(len(r), -1)
    best = np.full(len(q), np.inf)
    nearest = np.zeros(len(q), dtype=int)
    for moved in _shifted(q, max_shift, fill):
        distances, indices = nearest_neighbours(moved, flat, k=1, batch_size=batch_size)
        better = distances[:, 0] < best
        best[better], nearest[better] = distances[better, 0], indices[better, 0]
    return best, nearest


def memorisation_check(
    generated: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    quantile: float = 0.01,
    max_shift: int = 0,
) -> MemorisationReport:
    """Nearest training neighbours of generated samples, against those of held-out data (chapter 9).

    A generator that copies its training set puts its samples much nearer to training samples than
    new real samples (``test``, never trained on) are. Distances are Euclidean, in whatever space
    the rows live in (pixels for images; features if features are passed). With ``max_shift`` > 0
    (images only) every distance, of generated and of test samples alike, is the smallest over
    shifts of the sample by up to ``max_shift`` pixels (:func:`shifted_nearest_neighbours`), so a
    copy moved by a pixel or two still counts as a copy.
    """
    quantile = checks.number(
        "quantile", quantile, 0.0, 1.0, exclusive_minimum=True, exclusive_maximum=True
    )
    max_shift = checks.non_negative_int("max_shift", max_shift)
    if max_shift:
        generated, train, test = (
            checks.array(name, value, ndim=(3, 4), min_length=1, dtype=np.float64)
            for name, value in (("generated", generated), ("train", train), ("test", test))
        )
        generated_distances, nearest = shifted_nearest_neighbours(generated, train, max_shift)
        test_distances, _ = shifted_nearest_neighbours(test, train, max_shift)
    else:
        generated = _rows("generated", generated, min_rows=1, images=True)
        train = _rows("train", train, min_rows=1, images=True)
        test = _rows("test", test, min_rows=1, images=True)
        _same_width(generated, train, "generated", "train")
        _same_width(test, train, "test", "train")
        generated_distances, nearest = nearest_neighbours(generated, train, k=1)
        test_distances, _ = nearest_neighbours(test, train, k=1)
        generated_distances, nearest = generated_distances[:, 0], nearest[:, 0]
        test_distances = test_distances[:, 0]
    threshold = float(np.quantile(test_distances, quantile))
    test_median = float(np.median(test_distances))
    ratio = float(np.median(generated_distances) / test_median) if test_median > 0 else float("inf")
    return MemorisationReport(
        generated_distances=generated_distances,
        nearest_train=nearest,
        test_distances=test_distances,
        threshold=threshold,
        fraction_below=float(np.mean(generated_distances <= threshold)),
        median_ratio=ratio,
    )
