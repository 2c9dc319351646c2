from packaging.version import Version


def bump_kind(old: str, new: str) -> str:
    before, after = Version(old), Version(new)
    if after <= before:
        return "not an upgrade"
    if after.major != before.major:
        return "major"
    if after.minor != before.minor:
        return "minor"
    return "patch"
