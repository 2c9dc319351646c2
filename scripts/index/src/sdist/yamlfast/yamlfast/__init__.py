"""Tiny libyaml binding: enough to prove a C extension was compiled and links libyaml."""

from yamlfast._yamlfast import count_scalars, libyaml_version

__all__ = ["count_scalars", "libyaml_version"]
