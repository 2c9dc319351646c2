from setuptools import Extension, setup

setup(ext_modules=[Extension("yamlfast._yamlfast", ["yamlfast/_yamlfast.c"], libraries=["yaml"])])
