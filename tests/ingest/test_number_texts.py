"""The vectorised reading of plain number texts (lib.ingest.normalize._text_floats, Arrow's cast)
reads exactly the texts Python's float() reads, to the same float, over the alphabet it is used on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lib.ingest.normalize import _NUMBER_CHARS, _text_floats, parse_numbers

ALPHABET = "019.eE+-"  # every class of `_NUMBER_CHARS`: digits, the point, exponents, signs


def _python(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _vectorised(text: str) -> float | None:
    try:
        [value] = _text_floats(np.array([text], dtype=object))
    except ValueError:
        return None
    return float(value)


def test_the_alphabet_is_the_readers():
    assert set(ALPHABET) <= set(_NUMBER_CHARS.decode())


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5])
def test_every_short_text_reads_as_float_reads_it(length):
    texts = ["".join(p) for p in itertools.product(ALPHABET, repeat=length)]
    mismatched = []
    for text in texts:
        a, b = _python(text), _vectorised(text)
        same = (a is None and b is None) or (a is not None and b is not None
                                             and (a == b or (np.isnan(a) and np.isnan(b)))
                                             and np.signbit(a) == np.signbit(b))
        if not same:
            mismatched.append((text, a, b))
    assert not mismatched, mismatched[:20]


def test_long_digit_strings_round_the_same_way():
    rng = np.random.default_rng(15)
    texts = []
    for _ in range(20000):
        digits = "".join(rng.choice(list("0123456789"), rng.integers(1, 30)))
        point = int(rng.integers(0, len(digits) + 1))
        text = digits[:point] + "." + digits[point:] if rng.random() < 0.8 else digits
        if rng.random() < 0.3:
            text += f"e{int(rng.integers(-330, 330))}"
        texts.append(("-" if rng.random() < 0.2 else "") + text)
    got = _text_floats(np.array(texts, dtype=object))
    want = np.array([float(t) for t in texts])
    assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))


def test_a_column_with_one_malformed_text_is_read_cell_by_cell_as_before():
    import pandas as pd

    values, bad = parse_numbers(pd.Series(["1.5", "1.2.3", None, "1e309", "7"], dtype=object))
    assert values.tolist()[0] == 1.5 and np.isnan(values.tolist()[1]) and values.tolist()[4] == 7.0
    assert bad.tolist() == [False, True, False, True, False]
