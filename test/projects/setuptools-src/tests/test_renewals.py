from datetime import date

from renewals import next_renewal


def test_leap_day_yearly():
    assert next_renewal(date(2024, 2, 29), 12) == date(2025, 2, 28)
