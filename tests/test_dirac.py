"""Tests of ganbook.dirac: the Dirac-GAN of Mescheder et al. (2018).

The distances checked here are those of the Protocols appendix (book/appendix/protocols.md):
re-computed by re-running the settings of the authors' notebook (h = 0.2, start (1, 1), 500 steps),
which itself prints no numbers.
"""

import numpy as np
import pytest

from ganbook.dirac import DiracGAN, distance_to_equilibrium

H, STEPS = 0.2, 500


def final_distance(gan: DiracGAN, method: str, seed: int = 0) -> float:
    return float(distance_to_equilibrium(gan.simulate(1.0, 1.0, STEPS, H, method, seed=seed)[-1]))


def test_equilibrium_eigenvalues_of_the_standard_gan():
    gan = DiracGAN()
    np.testing.assert_allclose(gan.eigenvalues(), [0.5j, -0.5j], atol=1e-8)
    simultaneous = gan.eigenvalues(H, "simultaneous")
    np.testing.assert_allclose(np.abs(simultaneous), np.sqrt(1 + (H * 0.5) ** 2), atol=1e-8)
    assert round(float(np.abs(simultaneous[0])), 6) == 1.004988
    alternating = gan.eigenvalues(H, "alternating")
    np.testing.assert_allclose(alternating, [0.995 + 0.099875j, 0.995 - 0.099875j], atol=1e-6)
    np.testing.assert_allclose(np.abs(alternating), 1.0, atol=1e-8)


@pytest.mark.parametrize("gamma", [0.3, 1.0, 2.0])
def test_r1_eigenvalues_match_the_closed_form(gamma):
    expected = -gamma / 2 + np.array([1, -1]) * np.sqrt(complex(gamma**2 / 4 - 0.25))
    got = DiracGAN(r1_gamma=gamma).eigenvalues()
    np.testing.assert_allclose(
        sorted(got, key=lambda z: (z.imag, z.real)),
        sorted(expected, key=lambda z: (z.imag, z.real)),
        atol=1e-5,
    )


def test_instance_noise_eigenvalues_match_the_closed_form():
    sigma, f1, f2 = 0.7, 0.5, -0.25
    root = np.sqrt(complex(f2**2 * sigma**4 - f1**2))
    expected = np.array([f2 * sigma**2 + root, f2 * sigma**2 - root])
    np.testing.assert_allclose(DiracGAN(instance_noise=sigma).eigenvalues(), expected, atol=1e-6)


def test_wgan_field_and_eigenvalues():
    gan = DiracGAN(loss="wgan")
    v_theta, v_psi = gan.vector_field(np.array([2.0]), np.array([3.0]))
    np.testing.assert_allclose([v_theta[0], v_psi[0]], [-3.0, 2.0])
    np.testing.assert_allclose(gan.eigenvalues(), [1j, -1j], atol=1e-8)


@pytest.mark.parametrize(
    ("gan", "rerun"),
    [
        (DiracGAN(), (3.10, 1.42)),
        (DiracGAN(loss="non-saturating"), (0.64, 0.28)),
    ],
)
def test_distances_after_500_steps_of_the_authors_settings(gan, rerun):
    got = (final_distance(gan, "simultaneous"), final_distance(gan, "alternating"))
    np.testing.assert_allclose(got, rerun, atol=0.006)


@pytest.mark.parametrize("gamma", [0.3, 1.0])
def test_r1_converges(gamma):
    for method in ("simultaneous", "alternating"):
        assert final_distance(DiracGAN(r1_gamma=gamma), method) < 1e-4


def test_instance_noise_exact_expectation_converges():
    for method in ("simultaneous", "alternating"):
        assert final_distance(DiracGAN(instance_noise=0.7), method) < 1e-3


def test_instance_noise_monte_carlo_jitters_at_the_rerun_level():
    """The authors estimate the expectation with 1000 noise samples per step; re-running their
    settings once gives 0.019 / 0.012, one draw of the jitter."""
    gan = DiracGAN(instance_noise=0.7, noise_samples=1000)
    starts = np.ones(24)
    for method, published in (("simultaneous", 0.019), ("alternating", 0.012)):
        distances = distance_to_equilibrium(
            gan.simulate(starts, starts, STEPS, H, method, seed=1)[-1]
        )
        low, high = np.quantile(distances, [0.05, 0.95])
        assert low < published < high
        assert high < 0.06


def test_simulation_is_vectorised_and_matches_a_loop():
    gan = DiracGAN(loss="non-saturating")
    thetas, psis = np.linspace(-1, 1, 3)[:, None], np.linspace(-2, 2, 4)[None, :]
    path = gan.simulate(thetas, psis, steps=7, h=0.3, method="alternating")
    assert path.shape == (8, 3, 4, 2)
    single = gan.simulate(thetas[2, 0], psis[0, 1], steps=7, h=0.3, method="alternating")
    np.testing.assert_allclose(path[:, 2, 1], single)


def test_jacobian_matches_analytic_derivatives_away_from_equilibrium():
    gan, theta, psi = DiracGAN(), 0.4, -0.7
    t = psi * theta
    f1, f2 = gan.f_prime(t), gan.f_second(t)
    expected = np.array([[-(psi**2) * f2, -f1 - t * f2], [f1 + t * f2, theta**2 * f2]])
    np.testing.assert_allclose(gan.jacobian(theta, psi), expected, atol=1e-8)


def test_wgan_clip_keeps_psi_in_range():
    path = DiracGAN(loss="wgan", wgan_clip=0.3).simulate(1.0, 1.0, 50)
    assert np.abs(path[..., 1]).max() <= 0.3 + 1e-12


def test_clipped_wgan_stays_bounded_but_does_not_converge():
    """The authors' notebook clips psi at 1: the iterates neither diverge nor converge."""
    gan = DiracGAN(loss="wgan", wgan_clip=1.0)
    for method in ("simultaneous", "alternating"):
        path = gan.simulate(1.0, 1.0, STEPS, H, method)
        assert np.abs(path).max() < 2.0
        assert distance_to_equilibrium(path[-100:]).min() > 0.5


def test_unclipped_linear_loss_diverges_at_the_eigenvalue_rate():
    d = distance_to_equilibrium(DiracGAN(loss="wgan").simulate(1.0, 1.0, 100, H))
    np.testing.assert_allclose(d[1:] / d[:-1], np.sqrt(1 + H**2), rtol=1e-12)


def test_wgan_gp_field_and_its_jump_at_zero():
    gan = DiracGAN(loss="wgan", gp_weight=0.7, gp_target=1.0)
    v_theta, v_psi = gan.vector_field(np.array([0.5, 0.5]), np.array([2.0, -2.0]))
    np.testing.assert_allclose(v_theta, [-2.0, 2.0])
    np.testing.assert_allclose(v_psi, [0.5 - 0.7, 0.5 + 0.7])
    with pytest.raises(ValueError, match="psi"):
        gan.eigenvalues()
    for method in ("simultaneous", "alternating"):
        assert distance_to_equilibrium(gan.simulate(1.0, 1.0, STEPS, H, method)[-100:]).min() > 0.5


@pytest.mark.parametrize("loss", ["standard", "non-saturating"])
def test_consensus_eigenvalues_and_convergence(loss):
    """Consensus adds -c J^T J = -c f'(0)^2 I at the equilibrium.

    The eigenvalues become -c f'(0)^2 +- i f'(0).
    """
    gan = DiracGAN(loss=loss, consensus=1.0)
    np.testing.assert_allclose(gan.eigenvalues(), [-0.25 + 0.5j, -0.25 - 0.5j], atol=1e-8)
    for method in ("simultaneous", "alternating"):
        assert final_distance(gan, method) < 1e-6


@pytest.mark.parametrize(
    "kwargs", [{}, {"loss": "non-saturating", "r1_gamma": 0.3}, {"gp_weight": 0.5}]
)
def test_exact_jacobian_matches_central_differences(kwargs):
    gan = DiracGAN(**kwargs)
    for theta, psi in ((0.4, -0.7), (-1.2, 0.3)):
        exact = np.array(gan._field_jacobian(np.array(theta), np.array(psi))).reshape(2, 2)
        np.testing.assert_allclose(exact, gan.jacobian(theta, psi), atol=1e-7)
    consensus = DiracGAN(consensus=0.5, **kwargs)
    theta, psi = 0.4, -0.7
    v = np.array(DiracGAN(**kwargs).vector_field(theta, psi))
    exact = np.array(gan._field_jacobian(np.array(theta), np.array(psi))).reshape(2, 2)
    np.testing.assert_allclose(
        consensus.vector_field(theta, psi), v - 0.5 * exact.T @ v, atol=1e-12
    )


def test_alternating_steps_at_h_f_prime_2_are_defective():
    """At h f'(0) = 2 both eigenvalues are -1 but the matrix is not -I: iterates grow linearly."""
    gan = DiracGAN()
    matrix = gan.update_matrix(4.0, "alternating")
    np.testing.assert_allclose(gan.eigenvalues(4.0, "alternating"), [-1.0, -1.0], atol=1e-4)
    assert np.abs(matrix + np.eye(2)).max() > 1.0
    steps = np.array([100, 200, 400])
    norms = np.array([np.linalg.norm(np.linalg.matrix_power(matrix, int(n)), 2) for n in steps])
    np.testing.assert_allclose(norms / steps, norms[0] / steps[0], rtol=0.01)
    assert norms[-1] > 100
    bounded = gan.update_matrix(3.9, "alternating")
    assert np.linalg.norm(np.linalg.matrix_power(bounded, 400), 2) < 20


@pytest.mark.parametrize("gamma", [0.3, 0.6])
def test_r1_simultaneous_step_limit_is_4_gamma(gamma):
    """|1 + h lambda| < 1 iff h < -2 Re(lambda) / |lambda|^2: 4 gamma for R1 with gamma < 1."""
    gan = DiracGAN(r1_gamma=gamma)
    assert np.abs(gan.eigenvalues(4 * gamma * 0.99)).max() < 1
    assert np.abs(gan.eigenvalues(4 * gamma * 1.01)).max() > 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"loss": "hinge"},
        {"instance_noise": -0.1},
        {"r1_gamma": float("nan")},
        {"wgan_clip": 0.0},
        {"noise_samples": 0},
        {"quadrature_points": 2.5},
        {"gp_weight": -1.0},
        {"gp_target": float("inf")},
        {"consensus": -0.5},
        {"consensus": 1.0, "instance_noise": 0.5},
        {"r1_gamma": True},
        {"noise_samples": np.bool_(True)},
        {"wgan_clip": "1"},
    ],
)
def test_bad_configuration_raises(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        DiracGAN(**kwargs)


def test_bad_arguments_raise():
    gan = DiracGAN()
    with pytest.raises(ValueError, match="method"):
        gan.simulate(1.0, 1.0, method="leapfrog")
    with pytest.raises(ValueError, match="steps"):
        gan.simulate(1.0, 1.0, steps=-1)
    with pytest.raises(ValueError, match="h"):
        gan.simulate(1.0, 1.0, h=0.0)
    with pytest.raises(ValueError, match="theta0"):
        gan.simulate(np.inf, 1.0)
    with pytest.raises(ValueError, match="noise_samples"):
        DiracGAN(instance_noise=0.5, noise_samples=10).jacobian()
    with pytest.raises(ValueError, match="path"):
        distance_to_equilibrium(np.zeros((3, 3)))


def test_numpy_numbers_are_accepted_and_stored_plain():
    gan = DiracGAN(
        instance_noise=np.float32(0.5), noise_samples=np.int64(4), quadrature_points=np.int32(8)
    )
    types = type(gan.instance_noise), type(gan.noise_samples), type(gan.quadrature_points)
    assert types == (float, int, int)
    path = gan.simulate(1.0, 1.0, steps=np.int64(3), h=np.float64(0.1))
    assert path.shape == (4, 2)
    assert DiracGAN(quadrature_points=np.int64(16)).eigenvalues(np.float32(0.2)).shape == (2,)
