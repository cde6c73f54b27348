"""The facts' mean of a few values (lib.readiness.rows._mean) is numpy's mean to the last bit:
numpy adds fewer than 8 values one after the other, so the same sum and the same quotient; 8 or
more go to numpy itself (its pairwise sum rounds otherwise)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from lib.readiness.rows import _mean


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def test_a_few_values_give_numpys_mean_bit_for_bit() -> None:
    rng = random.Random(15)
    for _ in range(20000):
        n = rng.randint(1, 12)
        scale = 10 ** rng.uniform(-8, 8)
        values = [rng.uniform(-1, 1) * scale * 10 ** rng.uniform(-6, 6) for _ in range(n)]
        assert same(_mean(values), float(np.mean(values))), values


@pytest.mark.parametrize("values", [[-0.0], [-0.0, -0.0], [1, 2], [0.1, 0.2, 0.3], [float("nan"), 1.0],
                                    [float("inf"), 1.0], [float("inf"), float("-inf")], [1e308, 1e308],
                                    [2.5] * 7, [0.1] * 8, [0.1] * 11])
def test_edges(values: list[float]) -> None:
    with np.errstate(all="ignore"):
        expected = float(np.mean(values))
    assert same(_mean(values), expected)
    assert isinstance(_mean(values), float)
