from __future__ import print_function

import sys

import six

from unitconv import __version__, convert


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3:
        value, source, target = float(argv[0]), argv[1], argv[2]
        jobs = [(value, source, target)]
    else:
        jobs = [(26.2, "mi", "km"), (70, "kg", "lb")]
    print("unitconv %s" % __version__)
    for value, source, target in jobs:
        result = convert(value, source, target)
        print(six.text_type("%g %s = %.2f %s") % (value, source, result, target))
    return 0
