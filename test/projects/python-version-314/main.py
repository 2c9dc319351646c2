import sys
from datetime import date

from pydantic import BaseModel, ValidationError


class Shipment(BaseModel):
    reference: str
    weight_kg: float
    ships_on: date


def main():
    print(f"Python {sys.version_info.major}.{sys.version_info.minor}")
    ok = Shipment.model_validate({"reference": "SH-1009", "weight_kg": "12.5", "ships_on": "2025-06-30"})
    print(f"valid: {ok.reference} {ok.weight_kg} kg on {ok.ships_on:%d %b %Y}")
    try:
        Shipment.model_validate({"reference": "SH-1010", "weight_kg": "heavy", "ships_on": "soon"})
    except ValidationError as error:
        print(f"rejected: {error.error_count()} errors")


if __name__ == "__main__":
    main()
