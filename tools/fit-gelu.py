#!/usr/bin/env python3
"""Derives the two polynomials of Descent's float32 vector GELU (VectorMath.phi: the normal CDF Phi).

Phi(x) = 0.5 + x * P(x^2)                 for |x| <= 1   (P fitted for the relative error of x*P(x^2))
Phi(-a) = exp(-a^2/2) * t * Q(t),  t = 1/(1 + a/2),  for a > 1 (Q fitted for relative error over a in (1, 15])
Q's form follows the tail: Phi(-a) ~ exp(-a^2/2) / (a*sqrt(2*pi)) as a grows, so t*Q(t) is smooth down to t = 0.
Both are fitted by weighted least squares on Chebyshev nodes in 60-digit arithmetic (mpmath) with Lawson's
reweighting toward minimax, then rounded to float32; the worst relative error of the rounded polynomial (evaluated
in float64, so this is the fit's error alone, not float rounding) is printed. VectorMathTest measures the float32
kernel itself against SpecialFunctions.erf.
Usage: python3 tools/fit-gelu.py   (prints Java constants)
"""
import mpmath as mp
import struct

mp.mp.dps = 60


def to_float(v):
    return struct.unpack("f", struct.pack("f", float(v)))[0]


def phi(x):
    return mp.ncdf(x)


def lawson(basis, target, nodes, rounds=30):
    # minimise max_i |sum_k c_k basis_k(s_i) - target(s_i)| / |target(s_i)| (Lawson: reweight by the error)
    w = [mp.mpf(1)] * len(nodes)
    best = None
    for _ in range(rounds):
        rows = [[mp.sqrt(wi) * b / target(s) for b in basis(s)] for wi, s in zip(w, nodes)]
        rhs = [mp.sqrt(wi) for wi in w]
        A, b = mp.matrix(rows), mp.matrix(rhs)
        c = mp.lu_solve(A.T * A, A.T * b)
        errs = [abs(sum(ck * bk for ck, bk in zip(c, basis(s))) / target(s) - 1) for s in nodes]
        m = max(errs)
        if best is None or m < best[1]:
            best = (c, m)
        total = sum(wi * e for wi, e in zip(w, errs))
        w = [wi * e / total for wi, e in zip(w, errs)]
    return best[0]


def cheb(lo, hi, n):
    return [lo + (hi - lo) * (1 - mp.cos(mp.pi * (i + mp.mpf("0.5")) / n)) / 2 for i in range(n)]


def central(degree):
    # x*P(x^2) = Phi(x) - 0.5 on (0, 1]; unknowns in u = x^2
    nodes = cheb(mp.mpf("1e-6"), mp.mpf(1), 300)
    basis = lambda u: [mp.sqrt(u) * u ** k for k in range(degree + 1)]
    target = lambda u: phi(mp.sqrt(u)) - mp.mpf("0.5")
    return lawson(basis, target, nodes), basis, target, nodes


def tail(degree):
    # t*Q(t) = Phi(-a)*exp(a^2/2), t = 1/(1 + a/2), a in [1, 15] -> t in [2/17, 2/3]; down to t = 0 by the form
    nodes = cheb(mp.mpf(2) / 17, mp.mpf(2) / 3, 300)
    basis = lambda t: [t * t ** k for k in range(degree + 1)]
    def target(t):
        a = 2 * (1 / t - 1)
        return phi(-a) * mp.exp(a * a / 2)
    return lawson(basis, target, nodes), basis, target, nodes


def report(name, fit):
    c, basis, target, nodes = fit
    cf = [to_float(v) for v in c]
    dense = cheb(nodes[0], nodes[-1], 3000)
    worst = max(abs(sum(mp.mpf(ck) * bk for ck, bk in zip(cf, basis(s))) / target(s) - 1) for s in dense)
    print(f"// {name}: degree {len(cf) - 1}, worst relative error of the float32-rounded fit {float(worst):.2e}")
    print(", ".join(f"{name}{k} = {v!r}f" for k, v in enumerate(cf)))


if __name__ == "__main__":
    report("P", central(6))
    report("Q", tail(9))
