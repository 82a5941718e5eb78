"""Weighted least squares on coalitions: the engine shared by KernelSHAP and LIME.

Both regress coalition values on binary coalition vectors ``z`` with sample weights; they
differ in the weights (Shapley kernel vs exponential kernel), the regulariser (none vs ridge)
and the constraints (KernelSHAP pins the intercept to v(empty) and the sum to v(all) - v(empty)).
Every call solves for many right-hand sides at once (samples x outputs share the design).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg


def _solve_spd(A, B):
    try:
        return scipy.linalg.solve(A, B, assume_a="pos")
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, ValueError):
        return np.linalg.lstsq(A, B, rcond=None)[0]


#: A normal matrix whose reciprocal condition number (LAPACK's 1-norm estimate) is below this
#: is singular: some direction of the values is not determined by the weighted coalitions.
RCOND_SINGULAR = 1e-12


def _cholesky_if_regular(A):
    """Upper Cholesky factor of the symmetric positive semi-definite ``A``, or None when ``A``
    is singular to working precision."""
    try:
        factor = scipy.linalg.cholesky(A, lower=False, check_finite=False)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        return None
    rcond, info = scipy.linalg.lapack.dpocon(factor, np.abs(A).sum(axis=0).max())
    return factor if info == 0 and rcond >= RCOND_SINGULAR else None


def _sum_zero_basis(p):
    """Orthonormal basis ``(p, p - 1)`` of the vectors summing to zero."""
    q, _ = np.linalg.qr(np.eye(p)[:, 1:] - 1.0 / p)
    return q


def undetermined_players(Z, w):
    """Players whose efficient WLS value is not determined by coalitions ``Z`` under weights ``w``.

    Returns None when every value is determined (the efficiency-constrained problem has one
    solution), else a boolean mask ``(p,)`` of the players that a direction of solutions moves
    (e.g. two players that every weighted coalition holds together or leaves out together).
    """
    Zw = Z * w[:, None]
    A = Z.T @ Zw
    if _cholesky_if_regular(A) is not None:
        return None
    p = Z.shape[1]
    B = _sum_zero_basis(p)
    vals, vecs = np.linalg.eigh(B.T @ A @ B)
    null = vals <= RCOND_SINGULAR * max(float(vals.max()), 1e-300) * p
    if not null.any():
        return None
    return np.abs(B @ vecs[:, null]).max(axis=1) > 1e-8


def _min_norm_constrained(Z, w, Y, delta, A):
    """Efficient WLS when ``A`` is singular: the solution closest to the equal split
    ``delta / p`` (tied players share equally), and its linear map ``B (B' A B)^+ B'``."""
    p = Z.shape[1]
    B = _sum_zero_basis(p)
    G_pinv = np.linalg.pinv(B.T @ A @ B, hermitian=True, rcond=RCOND_SINGULAR * p)
    M = B @ G_pinv @ B.T
    equal = np.outer(np.ones(p) / p, delta)
    phi = equal + M @ ((Z * w[:, None]).T @ Y - A @ equal)  # A with any penalty
    return phi, M


def efficiency_constrained_wls(Z, w, Y, delta, penalty=None):
    """Solve ``min sum_i w_i (Y_i - z_i . phi)^2  s.t.  sum(phi) = delta`` for many RHS.

    Parameters
    ----------
    Z : ndarray of shape (m, p)
        Coalition vectors (0/1).
    w : ndarray of shape (m,)
        Non-negative weights.
    Y : ndarray of shape (m, r)
        Targets ``v(z) - v(empty)``, one column per right-hand side.
    delta : ndarray of shape (r,)
        ``v(all) - v(empty)`` per right-hand side.
    penalty : ndarray of shape (p,), optional
        Ridge penalty per coefficient (zero where absent).

    Returns
    -------
    phi : ndarray of shape (p, r)
    M : ndarray of shape (p, p)
        Linear map from ``Z^T W Y`` to phi's random part (for standard errors).

    Notes
    -----
    When the weighted coalitions do not determine every value (``A = Z' W Z`` singular, see
    :func:`undetermined_players`), the solution returned is the one closest to the equal split
    ``delta / p``: players the coalitions cannot tell apart share equally.
    """
    Zw = Z * w[:, None]
    A = Z.T @ Zw
    if penalty is not None:
        A[np.diag_indices_from(A)] += penalty
    p = Z.shape[1]
    factor = _cholesky_if_regular(A)
    if factor is None:
        # Coalitions that do not separate every player (few, or tied players): the values are
        # not all determined, and an inverse of A would be rounding noise.
        return _min_norm_constrained(Z, w, Y, delta, A)
    Ainv = scipy.linalg.cho_solve((factor, False), np.eye(p), check_finite=False)
    Ainv_1 = Ainv.sum(axis=1)
    denom = float(Ainv_1.sum())
    M = Ainv - np.outer(Ainv_1, Ainv_1) / denom
    # A^-1 Z'W Y as a fixed operator applied column by column (einsum's own loop, no BLAS
    # blocking over the columns), so a right-hand side's solution never depends on which others
    # are solved with it; the Lagrange step then makes sum(phi) = delta exactly, also when A is
    # ill-conditioned (few coalitions).
    # (Both operands contiguous along the summed axis: einsum takes the same loop, in the same
    # order, for one column as for many.)
    Yt = np.ascontiguousarray(Y.T)
    Ainv_b = np.einsum("rm,pm->rp", Yt, np.ascontiguousarray(Ainv @ Zw.T), optimize=False).T
    # Column sums row after row: numpy's pairwise sum over axis 0 of a single column runs in
    # another order than over many columns (last-bit differences from about 9 players on).
    col_sum = Ainv_b[0].copy()
    for row in Ainv_b[1:]:
        col_sum += row
    lam = (col_sum - delta) / denom
    phi = Ainv_b - np.outer(Ainv_1, lam)
    return phi, M


#: Magnitudes beyond ``2**±OUTPUT_EXPONENT`` are scaled by a power of two before they are
#: squared (see :func:`power_of_two_scale`).
OUTPUT_EXPONENT = 64


def power_of_two_scale(top):
    """A power of two bringing each of ``top`` (largest absolute values, >= 0) into ``[1, 2)``;
    1 where it lies within ``2**±OUTPUT_EXPONENT`` (or is 0, inf or NaN).

    Sums of squares of outputs of 1e160 overflow and of 1e-160 underflow; divided by a power of
    two they are exact multiples of the ones near 1, and ordinary values are not touched (their
    numbers stay the same to the bit).
    """
    top = np.asarray(top, dtype=np.float64)
    _, e = np.frexp(top)  # top = f * 2**e with f in [0.5, 1)
    far = np.isfinite(top) & (top > 0) & (np.abs(e - 1) > OUTPUT_EXPONENT)
    return np.where(far, np.ldexp(1.0, e - 1), 1.0)


def _ridge_operator(Zc, w, alpha):
    """``(A^-1 Zc' W)'``, shape (m, p), with ``A = Zc' W Zc + alpha I``: the map from a
    sample's centred outputs to its surrogate's weights.

    With more features than samples (a long document's words, few perturbations) it is solved
    in the samples' space, ``W^1/2 (B B' + alpha I_m)^-1 B`` with ``B = W^1/2 Zc`` (the same
    operator): the features' p x p system took 4.7 GiB and 32 s for 14,000 words at 20 samples.
    """
    m, p = Zc.shape
    if p <= m:
        A = Zc.T @ (Zc * w[:, None]) + alpha * np.eye(p)
        return np.ascontiguousarray(_solve_spd(A, (Zc * w[:, None]).T).T)
    root = np.sqrt(w)
    B = Zc * root[:, None]
    K = B @ B.T + alpha * np.eye(m)
    return np.ascontiguousarray(_solve_spd(K, np.diag(root)).T @ B)


def ridge_operator_bytes(m, p):
    """Bytes of :func:`_ridge_operator`'s square system on ``m`` samples of ``p`` features
    (float64, with its solver's copies), beyond its (m, p) arrays, which callers count per
    sample and feature already."""
    small = min(int(m), int(p))
    return 8 * 3 * small * small


def ridge_wls(Z, w, Y, alpha=1.0):
    """Weighted ridge regression with an unpenalised intercept, for many RHS.

    Returns
    -------
    coef : ndarray of shape (p, r)
    intercept : ndarray of shape (r,)
    r2 : ndarray of shape (r,)
        Weighted R^2 of the surrogate on the perturbations.
    """
    wn = w / w.sum()
    z_mean = wn @ Z
    Zc = Z - z_mean
    # Every right-hand side (a sample's output) goes through fixed operators, one at a time:
    # stacked products ``(1, m) @ (m, p)`` (numpy's matmul makes one BLAS call per slice, of the
    # same shape whatever the stack) and einsum's own loop for the dot products. A sample's
    # surrogate never depends on which others are fitted with it, so explaining rows in chunks
    # (batch_size, working memory, the command line's --chunk-size) gives the numbers of one
    # call; one BLAS product over all columns changed them in the last digits.
    Yt = np.ascontiguousarray(Y.T)  # (r, m); may be a view of the caller's Y: not changed in place
    y_mean = np.einsum("rm,m->r", Yt, wn, optimize=False)
    Yct = Yt - y_mean[:, None]
    Pt = _ridge_operator(Zc, w, alpha)  # (m, p): (A^-1 Zw')'
    coef_t = (Yct[:, None, :] @ Pt)[:, 0, :]  # (r, p)
    intercept = y_mean - np.einsum("rp,p->r", coef_t, z_mean, optimize=False)
    resid = Yct - (coef_t[:, None, :] @ np.ascontiguousarray(Zc.T))[:, 0, :]
    scale = np.maximum(Yt.max(axis=1), -Yt.min(axis=1)) if Yt.shape[1] else np.zeros(Yt.shape[0])
    # the sums of squares of outputs of 1e160 overflowed (R^2 NaN): such a column is divided by
    # a power of two first (exact; the ratio is unchanged, ordinary columns are not touched)
    unit = power_of_two_scale(scale)[:, None]
    ss_res = _centred_sum_of_squares(resid / unit, w, wn)
    ss_tot = _centred_sum_of_squares(Yct / unit, w, wn)
    coef = coef_t.T
    # A constant target has nothing to explain (R^2 = 1; a constant model's R^2 was rounding
    # noise, -1.3e-15). Constant means every weighted sample equal: once centred, each differs
    # from the centre by the rounding of the mean's rounding (m^2 eps^2 |y|), where one unit in
    # the last place of a sample is 1e8 times more. Any real variation, a single unit in the last
    # place of a 1e13 offset included, gets its R^2 (floors on the weighted sums of squares read
    # 1.0 for surrogates explaining nothing under an offset, or with a narrow kernel).
    positive = w > 0
    centre = np.einsum("rm,m->r", Yct, wn, optimize=False)
    spread = np.abs(Yct[:, positive] - centre[:, None]).max(axis=1) if positive.any() else np.zeros(len(Yct))
    # the size of the weighted samples only: a far perturbation of weight 0 and output 1e18 made
    # a real variation of the others count as constant
    weighted_scale = np.abs(Yt[:, positive]).max(axis=1) if positive.any() else scale
    constant = spread <= 0.1 * np.finfo(np.float64).eps * weighted_scale
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(constant | (ss_tot <= 0), 1.0, 1.0 - ss_res / ss_tot)
    return coef, intercept, r2


def _centred_sum_of_squares(D, w, wn):
    """``sum_i w_i (D_i - mean_w(D))^2`` per row of ``D`` (r, m), whose rows are centred up to the
    rounding of their weighted mean: that error's share, ``sum(w) mean_w(D)^2``, is taken out
    (the corrected two-pass sum), so a large offset's rounded mean adds no variance."""
    ss = np.einsum("rm,m->r", D**2, w, optimize=False)
    off = np.einsum("rm,m->r", D, wn, optimize=False)
    return np.maximum(ss - w.sum() * off**2, 0.0)
