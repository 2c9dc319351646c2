"""Write integers as Roman numerals."""

import sys

__version__ = "2.1.0"

_NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]


def to_roman(number):
    if not 0 < number < 4000:
        raise ValueError("only 1..3999 have a Roman numeral")
    parts = []
    for value, numeral in _NUMERALS:
        count, number = divmod(number, value)
        parts.append(numeral * count)
    return "".join(parts)


def main():
    numbers = [int(arg) for arg in sys.argv[1:]] or [1987, 2024, 3999]
    for number in numbers:
        print(f"{number} = {to_roman(number)}")
