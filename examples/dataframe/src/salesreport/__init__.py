"""Revenue by region from the quarter's sales (sales.csv, shipped in the package)."""

import sys
from importlib.resources import files

import numpy as np
import pandas as pd


def load_sales() -> pd.DataFrame:
    with files(__package__).joinpath("sales.csv").open("r", encoding="utf-8") as csv:
        sales = pd.read_csv(csv, parse_dates=["date"])
    sales["revenue"] = sales["units"] * sales["unit_price"]
    return sales


def main() -> None:
    sales = load_sales()
    by_region = (
        sales.groupby("region")
        .agg(orders=("units", "size"), units=("units", "sum"), revenue=("revenue", "sum"))
        .sort_values("revenue", ascending=False)
    )
    print(f"pandas {pd.__version__}, numpy {np.__version__} on Python {sys.version.split()[0]}")
    # itertuples keeps each column's type (iterrows would turn the counts into floats).
    for row in by_region.itertuples():
        print(f"{row.Index}: {row.orders} orders, {row.units} units, {row.revenue:.2f} revenue")
    busiest = sales.groupby(sales["date"].dt.month)["revenue"].sum().idxmax()
    print(f"total revenue {sales['revenue'].sum():.2f}; busiest month {busiest}")
