from semver_check import bump_kind


def test_minor():
    assert bump_kind("1.9.0", "1.10.0") == "minor"
