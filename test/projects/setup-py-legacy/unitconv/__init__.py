from unitconv.__version__ import __version__  # noqa: F401

FACTORS = {
    ("mi", "km"): 1.609344,
    ("lb", "kg"): 0.45359237,
    ("in", "cm"): 2.54,
}


def convert(value, source, target):
    if (source, target) in FACTORS:
        return value * FACTORS[(source, target)]
    if (target, source) in FACTORS:
        return value / FACTORS[(target, source)]
    raise ValueError("cannot convert %s to %s" % (source, target))
