"""Unit tests of ganbook.metrics (chapter 9): direct formulas, known cases, bad input."""

import numpy as np
import pytest
import scipy.linalg

from ganbook.metrics import (
    MemorisationReport,
    digit_score,
    frechet_distance,
    gaussian_frechet_distance,
    kernel_distance,
    memorisation_check,
    nearest_neighbours,
    polynomial_mmd2,
    precision_recall,
    shifted_nearest_neighbours,
)


def random_cov(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def direct_frechet(mu1, c1, mu2, c2):
    """The textbook formula with a general matrix square root (scipy)."""
    root = scipy.linalg.sqrtm(c1 @ c2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(c1 + c2 - 2.0 * np.real(root)))


# ---------------------------------------------------------------- Frechet distance


def test_gaussian_frechet_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    for d in (1, 3, 10):
        mu1, mu2 = rng.normal(size=d), rng.normal(size=d)
        c1, c2 = random_cov(rng, d), random_cov(rng, d)
        assert gaussian_frechet_distance(mu1, c1, mu2, c2) == pytest.approx(
            direct_frechet(mu1, c1, mu2, c2), rel=1e-8
        )


def test_gaussian_frechet_known_cases():
    d = 4
    mu = np.arange(d, dtype=float)
    # Same covariance: only the mean term remains.
    cov = random_cov(np.random.default_rng(1), d)
    assert gaussian_frechet_distance(mu, cov, mu + 2.0, cov) == pytest.approx(4.0 * d, rel=1e-9)
    # Isotropic: (sigma1 - sigma2)^2 per dimension.
    assert gaussian_frechet_distance(mu, 4.0 * np.eye(d), mu, 9.0 * np.eye(d)) == pytest.approx(
        d * 1.0
    )
    # Identical Gaussians: zero.
    assert gaussian_frechet_distance(mu, cov, mu, cov) == pytest.approx(0.0, abs=1e-9)


def test_gaussian_frechet_singular_covariances():
    """Rank-deficient covariances (fewer samples than features) stay real and non-negative."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 8))
    y = rng.normal(size=(3, 8))
    c1, c2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    value = gaussian_frechet_distance(x.mean(0), c1, y.mean(0), c2)
    assert np.isfinite(value) and value >= 0.0
    # Compare with the slow route: Tr((C1 C2)^1/2) = sum of sqrt of the eigenvalues of C1 C2.
    eig = np.clip(np.real(np.linalg.eigvals(c1 @ c2)), 0, None)
    direct = np.sum((x.mean(0) - y.mean(0)) ** 2) + np.trace(c1 + c2) - 2 * np.sum(np.sqrt(eig))
    assert value == pytest.approx(direct, rel=1e-6, abs=1e-8)


def test_frechet_distance_identical_sets_is_zero():
    x = np.random.default_rng(3).normal(size=(500, 6))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_shifted_gaussians_close_form():
    rng = np.random.default_rng(4)
    d, n = 5, 200_000
    c1, c2 = random_cov(rng, d), random_cov(rng, d)
    mu1, mu2 = np.zeros(d), np.full(d, 1.5)
    x = rng.multivariate_normal(mu1, c1, size=n)
    y = rng.multivariate_normal(mu2, c2, size=n)
    expected = direct_frechet(mu1, c1, mu2, c2)
    assert frechet_distance(x, y) == pytest.approx(expected, rel=0.02)
    # Shifted only: ||mu1 - mu2||^2.
    z = rng.multivariate_normal(mu1, c1, size=n)
    assert frechet_distance(z, z + (mu2 - mu1)) == pytest.approx(1.5**2 * d, rel=1e-9)


def test_frechet_distance_matches_fitted_formula():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(300, 7)), rng.normal(1.0, 2.0, size=(250, 7))
    expected = direct_frechet(
        x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    )
    assert frechet_distance(x, y) == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_biased_upward_at_small_n():
    rng = np.random.default_rng(6)
    small = [
        frechet_distance(rng.normal(size=(50, 10)), rng.normal(size=(50, 10))) for _ in range(20)
    ]
    large = [
        frechet_distance(rng.normal(size=(5000, 10)), rng.normal(size=(5000, 10))) for _ in range(5)
    ]
    assert np.mean(small) > 10 * np.mean(large) > 0


def test_frechet_one_feature():
    x = np.array([[0.0], [2.0]])  # mean 1, variance 2
    y = np.array([[4.0], [8.0]])  # mean 6, variance 8
    assert frechet_distance(x, y) == pytest.approx(25 + (np.sqrt(2) - np.sqrt(8)) ** 2)


@pytest.mark.parametrize(
    "a, b, match",
    [
        (np.zeros(5), np.zeros((5, 2)), "features_a"),
        (np.zeros((5, 2)), np.zeros((5, 3)), "same number of features"),
        (np.zeros((1, 2)), np.zeros((5, 2)), "at least 2 rows"),
        (np.full((5, 2), np.nan), np.zeros((5, 2)), "finite"),
        (np.zeros((5, 2)), [["a", "b"]], "features_b"),
    ],
)
def test_frechet_distance_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance(a, b)


def test_gaussian_frechet_bad_input():
    mu, cov = np.zeros(2), np.eye(2)
    with pytest.raises(ValueError, match="cov_a"):
        gaussian_frechet_distance(mu, np.eye(3), mu, cov)
    with pytest.raises(ValueError, match="symmetric"):
        gaussian_frechet_distance(mu, np.array([[1.0, 0.5], [0.0, 1.0]]), mu, cov)
    with pytest.raises(ValueError, match="positive semi-definite"):
        gaussian_frechet_distance(mu, -np.eye(2), mu, cov)
    with pytest.raises(ValueError, match="mean_b"):
        gaussian_frechet_distance(mu, cov, np.zeros((2, 1)), cov)


# ---------------------------------------------------------------- KID


def direct_mmd2(a, b):
    """Unbiased MMD^2 with the cubic kernel, by explicit loops."""
    d = a.shape[1]

    def k(x, y):
        return (x @ y / d + 1.0) ** 3

    m, n = len(a), len(b)
    xx = sum(k(a[i], a[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(b[i], b[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(a[i], b[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_polynomial_mmd2_matches_loops():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(12, 3)), rng.normal(0.5, 1.0, size=(9, 3))
    assert polynomial_mmd2(a, b) == pytest.approx(direct_mmd2(a, b), rel=1e-10)


def test_kernel_distance_single_full_subset_equals_mmd2():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    assert kernel_distance(a, b, subsets=3, subset_size=20) == pytest.approx(
        polynomial_mmd2(a, b), rel=1e-10
    )


def test_kernel_distance_same_distribution_near_zero_and_unbiased():
    rng = np.random.default_rng(9)
    values = [
        kernel_distance(rng.normal(size=(60, 8)), rng.normal(size=(60, 8)), subsets=5)
        for _ in range(40)
    ]
    spread = np.std(values) / np.sqrt(len(values))
    assert abs(np.mean(values)) < 4 * spread  # unbiased: centred on zero even at small N
    assert min(values) < 0.0  # an unbiased estimate of 0 must go negative sometimes


def test_kernel_distance_detects_shift_and_is_seeded():
    rng = np.random.default_rng(10)
    a, b = rng.normal(size=(400, 8)), rng.normal(0.5, 1.0, size=(400, 8))
    value = kernel_distance(a, b, subsets=10, subset_size=100, seed=3)
    assert value > 0.05
    assert value == kernel_distance(a, b, subsets=10, subset_size=100, seed=3)
    assert kernel_distance(a, a, subsets=10, subset_size=100) == pytest.approx(0.0, abs=0.05)


def test_kernel_distance_bad_input():
    a = np.zeros((10, 3))
    with pytest.raises(ValueError, match="subset_size"):
        kernel_distance(a, a, subset_size=11)
    with pytest.raises(ValueError, match="subset_size"):
        kernel_distance(a, a, subset_size=1)
    with pytest.raises(ValueError, match="subsets"):
        kernel_distance(a, a, subsets=0)
    with pytest.raises(ValueError, match="seed"):
        kernel_distance(a, a, seed=-1)
    with pytest.raises(ValueError, match="same number of features"):
        kernel_distance(a, np.zeros((10, 4)))


# ---------------------------------------------------------------- digit score


def test_digit_score_direct_formula():
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(50, 10))
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    marginal = p.mean(0)
    expected = np.exp(np.mean(np.sum(p * np.log(p / marginal), axis=1)))
    assert digit_score(p) == pytest.approx(expected, rel=1e-10)


def test_digit_score_known_cases():
    confident = np.eye(10)[np.arange(100) % 10]
    assert digit_score(confident) == pytest.approx(10.0)
    assert digit_score(confident, splits=10) == pytest.approx(10.0)
    assert digit_score(np.eye(10)[np.zeros(100, int)]) == pytest.approx(
        1.0
    )  # collapsed to one class
    assert digit_score(np.full((100, 10), 0.1)) == pytest.approx(1.0)  # unsure about everything
    two = np.eye(10)[np.arange(100) % 2]
    assert digit_score(two) == pytest.approx(2.0)


def test_digit_score_bad_input():
    with pytest.raises(ValueError, match="rows summing to 1"):
        digit_score(np.ones((5, 10)))
    with pytest.raises(ValueError, match="rows summing to 1"):
        digit_score(np.array([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="splits"):
        digit_score(np.full((5, 2), 0.5), splits=6)
    with pytest.raises(ValueError, match="probabilities"):
        digit_score(np.full(10, 0.1))


# ---------------------------------------------------------------- nearest neighbours


def test_nearest_neighbours_matches_brute_force():
    rng = np.random.default_rng(12)
    q, r = rng.normal(size=(37, 5)), rng.normal(size=(50, 5))
    distances, indices = nearest_neighbours(q, r, k=4, batch_size=8)
    full = np.linalg.norm(q[:, None, :] - r[None, :, :], axis=2)
    expected_idx = np.argsort(full, axis=1)[:, :4]
    np.testing.assert_array_equal(indices, expected_idx)
    np.testing.assert_allclose(
        distances, np.take_along_axis(full, expected_idx, 1), rtol=1e-7, atol=1e-7
    )
    d_all, i_all = nearest_neighbours(q, r, k=50)
    np.testing.assert_allclose(d_all, np.sort(full, axis=1), rtol=1e-7, atol=1e-7)


def test_nearest_neighbours_images_are_flattened():
    rng = np.random.default_rng(13)
    images = rng.uniform(-1, 1, size=(10, 28, 28, 1))
    distances, indices = nearest_neighbours(images[:3], images)
    np.testing.assert_array_equal(indices[:, 0], [0, 1, 2])
    np.testing.assert_allclose(distances[:, 0], 0.0, atol=1e-6)


def test_nearest_neighbours_bad_input():
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 2\]"):
        nearest_neighbours(np.zeros((2, 3)), np.zeros((2, 3)), k=3)
    with pytest.raises(ValueError, match="queries"):
        nearest_neighbours(np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="batch_size"):
        nearest_neighbours(np.zeros((2, 3)), np.zeros((2, 3)), batch_size=0)


# ---------------------------------------------------------------- precision and recall


def test_precision_recall_identical_sets():
    x = np.random.default_rng(14).normal(size=(300, 4))
    assert precision_recall(x, x) == (1.0, 1.0)


def test_precision_recall_disjoint_sets():
    rng = np.random.default_rng(15)
    real, fake = rng.normal(size=(200, 3)), rng.normal(size=(200, 3)) + 100.0
    assert precision_recall(real, fake) == (0.0, 0.0)


def test_precision_recall_half_the_modes():
    """A generator covering one of two well-separated clusters: high precision, recall about 1/2."""
    rng = np.random.default_rng(16)
    real = np.concatenate([rng.normal(size=(500, 2)), rng.normal(size=(500, 2)) + 50.0])
    fake = rng.normal(size=(1000, 2))
    precision, recall = precision_recall(real, fake)
    assert precision > 0.95
    assert 0.45 < recall < 0.55


def test_precision_recall_direct_definition():
    rng = np.random.default_rng(17)
    real, fake, k = rng.normal(size=(40, 2)), rng.normal(0.5, 1.0, size=(30, 2)), 3

    def manifold_fraction(queries, support):
        inside = []
        for q in queries:
            hit = False
            for s in support:
                radius = np.sort(np.linalg.norm(support - s, axis=1))[k]
                hit = hit or np.linalg.norm(q - s) <= radius
            inside.append(hit)
        return np.mean(inside)

    result = precision_recall(real, fake, k=k, batch_size=7)
    assert result.precision == pytest.approx(manifold_fraction(fake, real))
    assert result.recall == pytest.approx(manifold_fraction(real, fake))


def test_precision_recall_bad_input():
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 2\]"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
    with pytest.raises(ValueError, match="same number of features"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 9\]"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 2)), k=0)


# ---------------------------------------------------------------- memorisation


def test_memorisation_check_copies_and_new_samples():
    rng = np.random.default_rng(18)
    train, test, fresh = (
        rng.normal(size=(400, 6)),
        rng.normal(size=(200, 6)),
        rng.normal(size=(200, 6)),
    )
    copies = train[rng.choice(400, 100)] + 1e-3 * rng.normal(size=(100, 6))
    copied = memorisation_check(copies, train, test, quantile=0.05)
    assert isinstance(copied, MemorisationReport)
    assert copied.fraction_below == 1.0 and copied.median_ratio < 0.01
    honest = memorisation_check(fresh, train, test, quantile=0.05)
    assert honest.fraction_below < 0.2
    assert 0.7 < honest.median_ratio < 1.4
    d, i = nearest_neighbours(fresh, train)
    np.testing.assert_allclose(honest.generated_distances, d[:, 0])
    np.testing.assert_array_equal(honest.nearest_train, i[:, 0])
    assert honest.threshold == pytest.approx(np.quantile(honest.test_distances, 0.05))


def test_memorisation_check_bad_input():
    a = np.zeros((5, 4))
    with pytest.raises(ValueError, match="quantile"):
        memorisation_check(a, a, a, quantile=1.0)
    with pytest.raises(ValueError, match="test and train"):
        memorisation_check(a, a, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="generated and train"):
        memorisation_check(np.zeros((5, 3)), a, a)


def _digits_like(count, seed):
    """Blobs on a -1 background, (count, 12, 12, 1), no two alike."""
    rng = np.random.default_rng(seed)
    images = np.full((count, 12, 12, 1), -1.0)
    images[:, 3:9, 3:9, 0] = rng.uniform(-1, 1, size=(count, 6, 6))
    return images


def test_shifted_nearest_neighbours_finds_moved_copies():
    train = _digits_like(30, 1)
    moved = np.roll(train[:5], shift=(2, -1), axis=(1, 2))  # the blobs stay inside the frame
    distances, nearest = shifted_nearest_neighbours(moved, train, max_shift=2)
    np.testing.assert_allclose(distances, 0.0, atol=1e-5)  # rounding of |a|^2 - 2ab + |b|^2
    np.testing.assert_array_equal(nearest, np.arange(5))
    plain, _ = nearest_neighbours(moved, train)
    assert plain.min() > 1.0  # a plain pixel distance does not see them
    same, index = shifted_nearest_neighbours(moved[..., 0], train[..., 0], max_shift=0)
    np.testing.assert_allclose(same, plain[:, 0])
    np.testing.assert_array_equal(index, nearest_neighbours(moved, train)[1][:, 0])


def test_memorisation_check_with_shifts_sees_moved_copies():
    train, test = _digits_like(60, 2), _digits_like(40, 3)
    moved = np.roll(train[:20], shift=(1, 1), axis=(1, 2))
    blind = memorisation_check(moved, train, test, quantile=0.05)
    seeing = memorisation_check(moved, train, test, quantile=0.05, max_shift=1)
    assert blind.fraction_below == 0.0
    assert seeing.fraction_below == 1.0 and seeing.median_ratio < 1e-6
    np.testing.assert_array_equal(seeing.nearest_train, np.arange(20))


def test_shifted_nearest_neighbours_bad_input():
    images = _digits_like(3, 4)
    with pytest.raises(ValueError, match="max_shift"):
        shifted_nearest_neighbours(images, images, max_shift=12)
    with pytest.raises(ValueError, match="queries and references"):
        shifted_nearest_neighbours(images, images[:, :10])
    with pytest.raises(ValueError, match="queries"):
        shifted_nearest_neighbours(images.reshape(3, -1), images)


# ---------------------------------------------------------------- argument types


def test_numpy_integers_are_counts():
    rng = np.random.default_rng(19)
    a, b = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    assert kernel_distance(
        a, b, subsets=np.int64(4), subset_size=np.int32(10), seed=np.uint8(3)
    ) == (kernel_distance(a, b, subsets=4, subset_size=10, seed=3))
    assert nearest_neighbours(a, b, k=np.int64(2), batch_size=np.int16(7))[1].shape == (30, 2)
    assert precision_recall(a, b, k=np.int64(3)) == precision_recall(a, b, k=3)
    assert digit_score(np.full((4, 2), 0.5), splits=np.int64(2)) == pytest.approx(1.0)
    report = memorisation_check(a, b, a, quantile=np.float32(0.25))
    assert report.threshold == pytest.approx(np.quantile(report.test_distances, 0.25))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda a: kernel_distance(a, a, subsets=True), "subsets"),
        (lambda a: kernel_distance(a, a, subset_size=5.0), "subset_size"),
        (lambda a: kernel_distance(a, a, seed=np.bool_(False)), "seed"),
        (lambda a: nearest_neighbours(a, a, k=True), "k"),
        (lambda a: precision_recall(a, a, batch_size=2.5), "batch_size"),
        (lambda a: digit_score(np.full((4, 2), 0.5), splits=True), "splits"),
        (lambda a: memorisation_check(a, a, a, quantile=True), "quantile"),
        (lambda a: memorisation_check(a, a, a, quantile=float("nan")), "quantile"),
        (lambda a: frechet_distance(a > 0, a), "features_a"),
        (lambda a: frechet_distance(a, np.zeros((10, 0))), "features_b"),
        (lambda a: nearest_neighbours(a, np.zeros((0, 3))), "references"),
    ],
)
def test_bools_floats_and_empty_arrays_are_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call(np.random.default_rng(20).normal(size=(10, 3)))
