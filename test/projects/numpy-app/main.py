"""Smooth a week of sensor readings and flag the outliers."""

import sys

import numpy as np

READINGS = np.array([21.0, 21.4, 21.3, 29.8, 21.6, 21.5, 21.9])


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    return np.convolve(values, np.ones(window) / window, mode="valid")


def main() -> None:
    smooth = moving_average(READINGS, 3)
    median = np.median(READINGS)
    outliers = np.flatnonzero(np.abs(READINGS - median) > 3)
    print(f"numpy {np.__version__} on Python {sys.version_info.major}.{sys.version_info.minor}")
    print("smoothed:", " ".join(f"{v:.2f}" for v in smooth))
    print("outlier days:", outliers.tolist())


if __name__ == "__main__":
    main()
