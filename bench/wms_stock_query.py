"""On-hand by item across all bins and lots: the selector `on_hand_by_item` and the API
(`/api/v1/wms/on-hand/?item=` and `/api/v1/wms/stock/?item=`), p50/p95 over random items.

Runs on the same bench data as wms_ledger.py (10k bins, 100k lots, 2,000 items, ~50 lots each).
Prints figures, then one JSON line.

    python bench/wms_stock_query.py [--queries 300] [--rebuild]
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _wms_data


def measure(label: str, codes: list[str], call) -> dict:
    """Time `call(code)` once per code (after a short warm-up)."""
    for code in codes[:10]:
        call(code)
    samples = []
    for code in codes:
        started = time.perf_counter()
        call(code)
        samples.append(time.perf_counter() - started)
    result = {
        "queries": len(samples),
        "p50_ms": round(_wms_data.percentile(samples, 50) * 1000, 2),
        "p95_ms": round(_wms_data.percentile(samples, 95) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }
    print(
        f"{label}: {result['queries']} items, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()

    ids = _wms_data.bootstrap(rebuild=options.rebuild)
    from django.test.utils import override_settings
    from rest_framework.test import APIClient

    from core.models import Item
    from wms.models import StockQuant
    from wms.selectors.stock import on_hand_by_item

    user = ids["user"]
    codes_by_id = dict(Item.objects.filter(pk__in=ids["item_ids"]).values_list("id", "code"))
    items = {item.code: item for item in Item.objects.filter(pk__in=ids["item_ids"])}
    rng = random.Random(7)
    codes = [codes_by_id[rng.choice(ids["item_ids"])] for _ in range(options.queries)]
    rows = StockQuant.objects.filter(site=ids["site"], quantity__gt=0).count()
    print(f"data: {rows} stock rows, {len(items)} items, ~{rows // max(len(items), 1)} rows per item")

    def selector(code):
        row = on_hand_by_item(user=user, item=items[code]).get()
        assert row["quantity"] > 0

    results = {"selector": measure("selector on_hand_by_item(item=)", codes, selector)}
    client = APIClient()
    client.force_authenticate(user)
    with override_settings(ALLOWED_HOSTS=["testserver"]):

        def on_hand_api(code):
            response = client.get("/api/v1/wms/on-hand/", {"item": code})
            assert response.status_code == 200 and response.json()["count"] == 1, response.content[:200]

        def stock_api(code):
            response = client.get("/api/v1/wms/stock/", {"item": code})
            assert response.status_code == 200 and response.json()["count"] > 0, response.content[:200]

        results["api_on_hand"] = measure("GET /api/v1/wms/on-hand/?item=", codes, on_hand_api)
        results["api_stock"] = measure("GET /api/v1/wms/stock/?item= (first page)", codes, stock_api)

    print(json.dumps({"benchmark": "wms_stock_query", "stock_rows": rows, "items": len(items), **results}))


if __name__ == "__main__":
    main()
