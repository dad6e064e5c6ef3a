"""成绩单编号 (第二十条): the serial's check character catches every single-character typo and
every swap of adjacent characters — checked exhaustively over many serials."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from second_classroom.policies import serials

SAMPLE = [serials.make(f"2024{n:06d}/{k}") for n in range(60) for k in range(3)]


def test_a_serial_is_short_typeable_and_valid() -> None:
    serial = serials.make("2024010101/0")
    assert len(serial) == 11
    assert set(serial) <= set(serials.ALPHABET)
    assert not set(serial) & set("ILOU")
    assert serials.is_valid(serial)
    shown = serials.display(serial)
    assert shown.count("-") == 2
    assert serials.is_valid(shown.lower())


@pytest.mark.parametrize("serial", SAMPLE[:60])
def test_every_single_character_typo_is_caught(serial: str) -> None:
    for position in range(len(serial)):
        for replacement in serials.ALPHABET:
            if replacement != serial[position]:
                typo = serial[:position] + replacement + serial[position + 1 :]
                assert not serials.is_valid(typo), (serial, position, replacement)


@pytest.mark.parametrize("serial", SAMPLE)
def test_every_swap_of_adjacent_characters_is_caught(serial: str) -> None:
    for position in range(len(serial) - 1):
        a, b = serial[position], serial[position + 1]
        if a != b:
            swapped = serial[:position] + b + a + serial[position + 2 :]
            assert not serials.is_valid(swapped), (serial, position)


@given(st.text(alphabet=serials.ALPHABET, min_size=10, max_size=10))
def test_any_data_with_its_check_character_is_valid(data: str) -> None:
    assert serials.is_valid(data + serials.check_character(data))


@given(
    st.text(alphabet=serials.ALPHABET, min_size=10, max_size=10),
    st.integers(0, 10),
    st.sampled_from(serials.ALPHABET),
)
def test_a_substitution_anywhere_is_caught(data: str, position: int, replacement: str) -> None:
    serial = data + serials.check_character(data)
    typo = serial[:position] + replacement + serial[position + 1 :]
    assert serials.is_valid(typo) == (typo == serial)


def test_confusable_letters_read_as_digits_and_junk_is_refused() -> None:
    data = "1010ABCDEF"  # holds both 1 and 0, so the confusables are really tried
    serial = data + serials.check_character(data)
    assert serial == "1010ABCDEFA"
    confusable = serial.replace("1", "I").replace("0", "O")
    assert confusable != serial
    assert serials.normalize(confusable) == serial
    assert serials.normalize(serial.replace("1", "L").replace("0", "o")) == serial
    assert serials.normalize(serial.replace("1", "l").replace("0", "O")) == serial
    assert serials.is_valid(confusable)
    assert serials.normalize("too-short") is None
    assert serials.normalize("ABCD-EFGH-JK!") is None


def test_a_serial_is_a_fixed_function_of_its_seed() -> None:
    """第二十条: the serial printed on a transcript is found again from the same seed."""
    assert serials.make("2024010101/0") == "154QVGGVST7"
    assert serials.make("2024010101/1") == "WYKHGCEW7JM"
    assert serials.make("x") == "42CDJVA8P8J"


def test_distinct_seeds_give_distinct_serials() -> None:
    """A serial names its transcript's stream: two transcripts must never share one."""
    made = {serials.make(f"2024{n:06d}/{k}") for n in range(500) for k in range(4)}
    assert len(made) == 2000


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "too-short",
        "ABCD-EFGH-JK!",
        "154QVGGVST",  # the data without its check character
        "154QVGGVST77",  # one character too many
        "154QVGGVSTU",  # U is not in the alphabet
        "154Q_VGGV_ST7",
    ],
)
def test_malformed_text_is_not_a_valid_serial(text: str) -> None:
    assert serials.normalize(text) is None
    assert not serials.is_valid(text)


@pytest.mark.parametrize(
    "text", ["154Q VGGV ST7", " 154qvggvst7 ", "154Q - VGGV - ST7", "1 5 4 Q V G G V S T 7"]
)
def test_spaces_and_hyphens_are_ignored_when_reading(text: str) -> None:
    """People type serials with spaces or hyphens, in either case."""
    assert serials.normalize(text) == "154QVGGVST7"
    assert serials.is_valid(text)
