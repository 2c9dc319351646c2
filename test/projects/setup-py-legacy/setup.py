#!/usr/bin/env python
import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))

about = {}
with open(os.path.join(here, "unitconv", "__version__.py")) as f:
    exec(f.read(), about)

setup(
    name="unitconv",
    version=about["__version__"],
    description="Convert between metric and imperial units",
    author="R. Lindqvist",
    author_email="rl@example.se",
    url="https://example.se/unitconv",
    packages=find_packages(exclude=["tests", "tests.*"]),
    install_requires=["six>=1.10"],
    python_requires=">=3.6",
    entry_points={
        "console_scripts": [
            "unitconv=unitconv.cli:main",
        ],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: BSD License",
    ],
)
