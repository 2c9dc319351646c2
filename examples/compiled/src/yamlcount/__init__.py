"""Counts the scalars of a built-in YAML document with yamlfast (libyaml)."""

import yamlfast

DOCUMENT = """
service: yamlcount
ports: [8000, 8001]
owners:
  - name: ada
  - name: linus
"""


def main() -> None:
    print(f"scalars={yamlfast.count_scalars(DOCUMENT)} libyaml={yamlfast.libyaml_version()}")


if __name__ == "__main__":
    main()
