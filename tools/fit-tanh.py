#!/usr/bin/env python3
"""Derives the odd polynomial Descent's vector tanh uses for |x| < 0.55 (VectorMath).

tanh(x) ~ x + x^3 * P(x^2) on [0, 0.55]. P is fitted by weighted least squares (relative error)
on Chebyshev nodes in t = x^2, in 60-digit arithmetic with mpmath, then its coefficients are
rounded to the target precision and the worst relative error is measured on a dense grid.
Usage: python3 tools/fit-tanh.py   (prints Java constants for float and double)
"""
import mpmath as mp

mp.mp.dps = 60
X_MAX = mp.mpf("0.55")


def fit(degree, nodes=400):
    # Unknowns c_0..c_degree with tanh(x) - x = x^3 * sum c_k t^k, t = x^2; weight 1/tanh(x) (relative error).
    t_max = X_MAX ** 2
    rows, rhs = [], []
    for i in range(nodes):
        t = t_max * (1 - mp.cos(mp.pi * (i + mp.mpf("0.5")) / nodes)) / 2
        x = mp.sqrt(t)
        w = 1 / mp.tanh(x)
        rows.append([w * x ** 3 * t ** k for k in range(degree + 1)])
        rhs.append(w * (mp.tanh(x) - x))
    A = mp.matrix(rows)
    b = mp.matrix(rhs)
    return mp.lu_solve(A.T * A, A.T * b)


def worst_relative_error(coeffs, to_float):
    worst = mp.mpf(0)
    for i in range(1, 4001):
        x = X_MAX * i / 4000
        t = x * x
        p = mp.mpf(0)
        for c in reversed([to_float(c) for c in coeffs]):
            p = p * t + c
        approx = x + x ** 3 * p
        worst = max(worst, abs(approx / mp.tanh(x) - 1))
    return worst


def f32(v):
    import struct
    return mp.mpf(struct.unpack("f", struct.pack("f", float(v)))[0])


def f64(v):
    return mp.mpf(float(v))


for name, degree, rnd in (("float", 4, f32), ("double", 9, f64)):
    c = fit(degree)
    print(f"// {name}: degree {degree} in x^2, worst relative error {mp.nstr(worst_relative_error(c, rnd), 3)} (before rounding in arithmetic)")
    print(", ".join(repr(float(rnd(v))) + ("f" if name == "float" else "") for v in c))
