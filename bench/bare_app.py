"""The yardstick for list throughput: bare Flask returning a constant 20-item JSON list."""

from flask import Flask

ITEMS = [
    {
        "id": n,
        "full_name": f"Expert {n}",
        "other_names": [f"Эксперт {n}"],
        "country": "KZ",
        "verified": False,
        "topic_ids": [1, 2],
        "affiliations": [],
    }
    for n in range(20)
]

app = Flask(__name__)


@app.get("/items")
def items():
    return ITEMS
