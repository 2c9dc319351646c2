from datetime import date

from dateutil.relativedelta import relativedelta


def next_renewal(start: date, months: int) -> date:
    return start + relativedelta(months=months)
