from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI(title="Inventory API")


class Item(BaseModel):
    sku: str
    name: str
    quantity: int


STOCK = {
    "A-100": Item(sku="A-100", name="pallet jack", quantity=3),
    "B-220": Item(sku="B-220", name="stretch wrap", quantity=48),
}


@app.get("/")
def read_root():
    return {"service": "inventory", "items": len(STOCK)}


@app.get("/items/{sku}")
def read_item(sku: str) -> Item:
    item = STOCK.get(sku)
    if item is None:
        raise HTTPException(status_code=404, detail="unknown sku")
    return item
