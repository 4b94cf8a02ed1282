"""The Dirac-GAN of Mescheder, Geiger and Nowozin (2018): a GAN small enough to solve by hand.

Introduced in chapter 3 (Playing the game with gradients). The data distribution is a point mass at
0, the generator a point mass at ``theta`` and the discriminator the line ``D(x) = psi * x`` (a
logit). With ``f(t) = -log(1 + exp(-t))`` for the standard GAN (``f(t) = t`` for the WGAN), the
game is

    L(theta, psi) = f(psi * theta) + f(0),

which the discriminator maximises over ``psi`` and the generator minimises over ``theta``. The
gradient vector field is ``v(theta, psi) = (-psi f'(psi theta), theta f'(psi theta))``; gradient
descent takes steps ``h * v``. Everything here is vectorised over NumPy arrays of start points.

Sign convention: in Mescheder et al.'s notation ``sigmoid(psi * x)`` is the probability that ``x``
is *fake*. Under the book's rule real = 1 the discriminator's logit is ``-psi * x``; we keep their
``psi`` so that every figure matches theirs (the book's parameter ``-psi`` would mirror the phase
portrait).

Besides the standard and non-saturating losses the class covers the linear loss ``f(t) = t`` (the
WGAN loss; a WGAN proper clips ``psi``, ``wgan_clip``), the R1 penalty, instance noise, the WGAN-GP
penalty ``(gamma / 2) (|psi| - g0)^2`` and consensus optimisation (Mescheder, Nowozin and Geiger
2017), which follows ``v - c * grad(|v|^2 / 2)`` instead of ``v``.

Instance noise adds N(0, sigma^2) noise to real and generated samples; the loss is then an
*expectation* over that noise. By default the expectation is computed exactly (Gauss-Hermite
quadrature); ``noise_samples=n`` replaces it by an n-sample Monte Carlo estimate redrawn at every
evaluation, which is what the authors' notebook does (n = 1000) and what leaves such trajectories
jittering at a distance of about 0.01-0.02 from the equilibrium instead of converging to it
(measured by re-running their settings; the notebook itself prints no distances).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ganbook import checks

LOSSES = ("standard", "non-saturating", "wgan")
METHODS = ("simultaneous", "alternating")


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * t))


@lru_cache(maxsize=8)
def _hermite_rule(points: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and normalised weights for expectations over N(0, 1)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    nodes.setflags(write=False)
    weights = weights / weights.sum()
    weights.setflags(write=False)
    return nodes, weights


@dataclass(frozen=True)
class DiracGAN:
    """One Dirac-GAN training method: a loss plus optional regularisers (chapter 3).

    ``loss``: "standard" (the minimax loss of Goodfellow et al.), "non-saturating" (the generator
    maximises log D(G(z)) instead) or "wgan" (the linear loss ``f(t) = t``; with ``wgan_clip`` it is
    the WGAN, without it the linear loss has no Lipschitz constraint). ``instance_noise``: the noise
    standard deviation sigma (0 for none). ``r1_gamma``: the weight of the R1 penalty
    (gamma / 2) psi^2 on the real data. ``wgan_clip``: clip psi to [-c, c] after every step (weight
    clipping). ``noise_samples``: None for the exact expectation over instance noise, or the number
    of Monte Carlo samples per evaluation. ``quadrature_points``: Gauss-Hermite points for the exact
    case. ``gp_weight`` and ``gp_target``: the WGAN-GP penalty (gamma / 2) (|psi| - g0)^2 with
    gamma = ``gp_weight`` and g0 = ``gp_target`` (the gradient of D with respect to x is psi
    everywhere, so where the penalty is evaluated does not matter). ``consensus``: the weight c of
    consensus optimisation, which follows ``v - c * J^T v`` (J the Jacobian of v); it needs the
    noise-free field (``instance_noise`` 0).
    """

    loss: str = "standard"
    instance_noise: float = 0.0
    r1_gamma: float = 0.0
    wgan_clip: float | None = None
    noise_samples: int | None = None
    quadrature_points: int = 64
    gp_weight: float = 0.0
    gp_target: float = 1.0
    consensus: float = 0.0

    def __post_init__(self) -> None:
        checks.one_of("loss", self.loss, LOSSES)
        for name in ("instance_noise", "r1_gamma", "gp_weight", "gp_target", "consensus"):
            self._set(name, checks.non_negative_number(name, getattr(self, name)))
        if self.consensus > 0 and self.instance_noise > 0:
            raise ValueError(
                "consensus must be 0 when instance_noise is set: consensus optimisation "
                "is implemented for the noise-free field only"
            )
        if self.wgan_clip is not None:
            self._set("wgan_clip", checks.positive_number("wgan_clip", self.wgan_clip))
        if self.noise_samples is not None:
            self._set("noise_samples", checks.positive_int("noise_samples", self.noise_samples))
        points = checks.positive_int("quadrature_points", self.quadrature_points)
        self._set("quadrature_points", points)

    def _set(self, name: str, value: object) -> None:
        """Store a checked field of this frozen dataclass (as a plain float or int)."""
        object.__setattr__(self, name, value)

    def f_prime(self, t: np.ndarray) -> np.ndarray:
        """The derivative f'(t): sigmoid(-t) for the GAN losses, 1 for the WGAN."""
        t = checks.array("t", t, finite=False, dtype=float)
        return np.ones_like(t) if self.loss == "wgan" else _sigmoid(-t)

    def f_second(self, t: np.ndarray) -> np.ndarray:
        """The second derivative f''(t): -sigmoid(t) sigmoid(-t) for GAN losses, 0 for the WGAN."""
        t = checks.array("t", t, finite=False, dtype=float)
        return np.zeros_like(t) if self.loss == "wgan" else -_sigmoid(t) * _sigmoid(-t)

    def _noise(
        self, shape: tuple[int, ...], rng: np.random.Generator | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Noise values and their weights along a new last axis (quadrature rule or MC samples)."""
        if self.noise_samples is None:
            nodes, weights = _hermite_rule(self.quadrature_points)
            return self.instance_noise * nodes, weights
        if rng is None:
            raise ValueError("rng must be a numpy Generator when noise_samples is set")
        n = self.noise_samples
        return self.instance_noise * rng.standard_normal(shape + (n,)), np.full(n, 1.0 / n)

    def vector_field(
        self, theta: np.ndarray, psi: np.ndarray, rng: np.random.Generator | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The gradient vector field (v_theta, v_psi) at broadcastable arrays of points.

        ``v_theta`` is minus the generator's gradient, ``v_psi`` the discriminator's
        gradient (including the R1 and WGAN-GP terms), so one gradient step is
        ``(theta, psi) += h * v``.
        """
        theta, psi = self._points(theta, psi, rng)
        if self.instance_noise == 0.0:
            fake = theta[..., None]
            real = np.zeros_like(fake)
            weights = np.ones(1)
        else:
            noise_fake, weights = self._noise(theta.shape, rng)
            noise_real, _ = self._noise(theta.shape, rng)
            fake = theta[..., None] + noise_fake
            real = np.broadcast_to(noise_real, theta.shape + noise_real.shape[-1:])
        p = psi[..., None]
        generator_sign = -1.0 if self.loss == "non-saturating" else 1.0
        v_theta = -(p * self.f_prime(generator_sign * p * fake)) @ weights
        v_psi = fake * self.f_prime(p * fake) - real * self.f_prime(-p * real)
        v_psi = v_psi @ weights
        v_psi = v_psi - self.r1_gamma * psi
        if self.gp_weight > 0:
            excess = np.abs(psi) - self.gp_target
            v_psi = v_psi - self.gp_weight * excess * np.sign(psi)
        if self.consensus > 0:
            v_theta, v_psi = self._consensus_step(theta, psi, v_theta, v_psi)
        return v_theta, v_psi

    @staticmethod
    def _points(
        theta: np.ndarray, psi: np.ndarray, rng: np.random.Generator | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Check the arguments of :meth:`vector_field`; theta and psi broadcast to one shape."""
        if rng is not None:
            checks.instance("rng", rng, np.random.Generator, "None or a numpy Generator")
        theta = checks.array("theta", theta, dtype=float)
        psi = checks.array("psi", psi, dtype=float)
        try:
            return np.broadcast_arrays(theta, psi)
        except ValueError:
            raise ValueError(
                f"theta and psi must have broadcastable shapes; got {theta.shape} and {psi.shape}"
            ) from None

    def _field_jacobian(self, theta: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, ...]:
        """The exact Jacobian entries (d v_theta/d theta, d v_theta/d psi, d v_psi/d theta,
        d v_psi/d psi) of the noise-free field before the consensus term, at arrays of points."""
        sign = -1.0 if self.loss == "non-saturating" else 1.0
        t = psi * theta
        j_theta_theta = -sign * psi**2 * self.f_second(sign * t)
        j_theta_psi = -self.f_prime(sign * t) - sign * t * self.f_second(sign * t)
        j_psi_theta = self.f_prime(t) + t * self.f_second(t)
        j_psi_psi = theta**2 * self.f_second(t) - self.r1_gamma - self.gp_weight
        return j_theta_theta, j_theta_psi, j_psi_theta, j_psi_psi

    def _consensus_step(
        self, theta: np.ndarray, psi: np.ndarray, v_theta: np.ndarray, v_psi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Consensus optimisation: subtract c times the gradient of |v|^2 / 2, which is J^T v."""
        j_tt, j_tp, j_pt, j_pp = self._field_jacobian(theta, psi)
        grad_theta = j_tt * v_theta + j_pt * v_psi
        grad_psi = j_tp * v_theta + j_pp * v_psi
        return v_theta - self.consensus * grad_theta, v_psi - self.consensus * grad_psi

    def jacobian(self, theta: float = 0.0, psi: float = 0.0, eps: float = 1e-5) -> np.ndarray:
        """The 2x2 Jacobian of the vector field at one point, by central differences.

        With exact noise expectations the field is smooth and the error is of order eps^2.
        """
        if self.noise_samples is not None:
            raise ValueError(
                "noise_samples must be None for the Jacobian (it needs the exact expectation)"
            )
        theta, psi = checks.number("theta", theta), checks.number("psi", psi)
        eps = checks.positive_number("eps", eps)
        if self.gp_weight > 0 and self.gp_target > 0 and abs(float(psi)) <= eps:
            raise ValueError(
                "psi must be away from 0 for the Jacobian when gp_weight > 0: the WGAN-GP "
                "field jumps at psi = 0"
            )
        columns = []
        for d_theta, d_psi in ((eps, 0.0), (0.0, eps)):
            plus = np.array(self.vector_field(theta + d_theta, psi + d_psi))
            minus = np.array(self.vector_field(theta - d_theta, psi - d_psi))
            columns.append((plus - minus) / (2 * eps))
        return np.stack(columns, axis=1)

    def update_matrix(
        self, h: float, method: str = "simultaneous", theta: float = 0.0, psi: float = 0.0
    ) -> np.ndarray:
        """The Jacobian of one gradient-descent step (step size ``h``), linearised at (theta, psi).

        Simultaneous: I + h J. Alternating (generator first, then the discriminator at the new
        theta): the product of the two one-player updates.
        """
        h = checks.positive_number("h", h)
        jac = self.jacobian(theta, psi)
        if checks.one_of("method", method, METHODS) == "simultaneous":
            return np.eye(2) + h * jac
        generator_step = np.array([[1 + h * jac[0, 0], h * jac[0, 1]], [0.0, 1.0]])
        discriminator_step = np.array([[1.0, 0.0], [h * jac[1, 0], 1 + h * jac[1, 1]]])
        return discriminator_step @ generator_step

    def eigenvalues(self, h: float | None = None, method: str = "simultaneous") -> np.ndarray:
        """Eigenvalues at the equilibrium (0, 0): of the Jacobian when ``h`` is None (continuous
        time, converging when all real parts are < 0), else of the update matrix (discrete steps,
        converging when all moduli are < 1)."""
        checks.one_of("method", method, METHODS)
        matrix = self.jacobian() if h is None else self.update_matrix(h, method)
        values = np.linalg.eigvals(matrix)
        return values[np.argsort(-values.imag)]

    def simulate(
        self,
        theta0: np.ndarray,
        psi0: np.ndarray,
        steps: int = 500,
        h: float = 0.2,
        method: str = "simultaneous",
        seed: int | None = 0,
    ) -> np.ndarray:
        """Run ``steps`` gradient-descent steps from every start point at once.

        Returns an array of shape (steps + 1, *shape, 2) holding (theta, psi) after each step, where
        ``shape`` is the broadcast shape of ``theta0`` and ``psi0``. ``seed`` feeds the Monte Carlo
        noise (only used when ``noise_samples`` is set).
        """
        steps = checks.non_negative_int("steps", steps)
        h = checks.positive_number("h", h)
        checks.one_of("method", method, METHODS)
        rng = np.random.default_rng(checks.optional_seed("seed", seed))
        theta0 = checks.array("theta0", theta0, dtype=float)
        psi0 = checks.array("psi0", psi0, dtype=float)
        try:
            starts = np.broadcast_arrays(theta0, psi0)
        except ValueError:
            raise ValueError(
                "theta0 and psi0 must have broadcastable shapes; "
                f"got {theta0.shape} and {psi0.shape}"
            ) from None
        theta, psi = (start.copy() for start in starts)
        psi = self._clip(psi)
        path = np.empty((steps + 1,) + theta.shape + (2,))
        path[0, ..., 0], path[0, ..., 1] = theta, psi
        for step in range(1, steps + 1):
            if method == "simultaneous":
                v_theta, v_psi = self.vector_field(theta, psi, rng)
                theta, psi = theta + h * v_theta, psi + h * v_psi
            else:
                theta = theta + h * self.vector_field(theta, psi, rng)[0]
                psi = psi + h * self.vector_field(theta, psi, rng)[1]
            psi = self._clip(psi)
            path[step, ..., 0], path[step, ..., 1] = theta, psi
        return path

    def _clip(self, psi: np.ndarray) -> np.ndarray:
        return psi if self.wgan_clip is None else np.clip(psi, -self.wgan_clip, self.wgan_clip)


def distance_to_equilibrium(path: np.ndarray) -> np.ndarray:
    """Distance of (theta, psi), the last axis, from the equilibrium (0, 0) (chapter 3)."""
    path = checks.array("path", path, finite=False, dtype=float)
    if path.ndim < 1 or path.shape[-1] != 2:
        raise ValueError(
            f"path must end in an axis of length 2 (theta, psi); got shape {path.shape}"
        )
    return np.hypot(path[..., 0], path[..., 1])
