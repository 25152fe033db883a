"""Catalog benchmark: listing and product pages under load, and search latency.

Run: ``.venv/bin/python -m bench.catalog_bench [--databases sqlite postgres] [--products N]``.
Needs wrk (``apt-get install -y wrk``). Prepares var/bench/bench.sqlite3 and the PostgreSQL
database okryu_bench with the demo data grown to 100,000 products, starts the production app
server on a free port, and prints requests/s, p50 and p99 at 16 connections.
"""

import argparse
import json
import platform
import tempfile
from pathlib import Path
from typing import Any

from bench import server

SEARCH_PROBE = r"""
import json, statistics, time
from okryu.catalog.search import search_products
QUERIES = ["냉면", "랭면", "평양랭면", "두부", "김치", "쌀", "차", "ㄴㅁ", "ㄹㅁ", "로동화",
           "양말", "녀자", "료리", "간장", "맥주", "신발", "비누", "cold noodles", "socks",
           "아스피린"]
for query in QUERIES:  # warm the caches once
    search_products(query=query, limit=24)
timings = []
for _round in range(5):
    for query in QUERIES:
        started = time.perf_counter()
        page = search_products(query=query, limit=24)
        timings.append((time.perf_counter() - started) * 1000)
timings.sort()
print(json.dumps({"p50_ms": statistics.median(timings),
                  "p95_ms": timings[int(len(timings) * 0.95) - 1],
                  "max_ms": timings[-1], "queries": len(timings)}))
"""

PICK_TARGETS = r"""
import json
from django.db.models import Count
from okryu.catalog.models import Category, Product
category = (Category.objects.annotate(n=Count("products")).order_by("-n").first())
ids = list(Product.objects.filter(is_active=True).order_by("?").values_list("id", flat=True)[:500])
print(json.dumps({"category": category.pk, "category_products": category.n, "product_ids": ids}))
"""

PRODUCT_SCRIPT = """
ids = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/products/" .. ids[(counter %% #ids) + 1] .. "/")
end
"""


def bench_database(
    label: str, database_url: str, *, products: int, seconds: int
) -> dict[str, object]:
    """Prepare one database, load its pages with wrk and time its search; return the figures."""
    server.prepare_database(database_url, products=products)
    targets = json.loads(server.manage(database_url, "shell", "-c", PICK_TARGETS))
    search = json.loads(server.manage(database_url, "shell", "-c", SEARCH_PROBE))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(PRODUCT_SCRIPT % ", ".join(str(i) for i in targets["product_ids"]))
    results = []
    with server.running_server(database_url) as base_url:
        category_url = f"{base_url}/categories/{targets['category']}/?page=2&sort=price"
        # One short run warms the worker processes and their caches before measuring.
        server.run_wrk("warm-up", category_url, seconds=2)
        results.append(server.run_wrk("category page", category_url, seconds=seconds))
        # A session cookie (of no session) takes the path of a returning visitor: no whole-page
        # cache, the page shell rendered per request around the cached listing rows.
        results.append(
            server.run_wrk(
                "category, returning",
                category_url,
                seconds=seconds,
                headers=(f"Cookie: sessionid={'0' * 32}",),
            )
        )
        results.append(
            server.run_wrk(
                "product page", base_url + "/", seconds=seconds, script=script.name
            )
        )
        results.append(
            server.run_wrk(
                "search page",
                f"{base_url}/search/?q=%EB%83%89%EB%A9%B4",
                seconds=seconds,
            )
        )
        results.append(
            server.run_wrk(
                "API product list",
                f"{base_url}/api/v1/products?category={targets['category']}&page=2",
                seconds=seconds,
            )
        )
    Path(script.name).unlink()
    return {
        "database": label,
        "category_products": targets["category_products"],
        "pages": [result.__dict__ for result in results],
        "search": search,
    }


def main() -> None:
    """Run the catalog benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    options = parser.parse_args()
    urls = {"sqlite": server.SQLITE_URL, "postgres": server.POSTGRES_URL}
    report: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''}".strip(),
        "runs": [
            bench_database(
                name, urls[name], products=options.products, seconds=options.seconds
            )
            for name in options.databases
        ],
    }
    server.save_results("catalog", report)
    print(
        f"{'database':10} {'page':18} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for run in report["runs"]:
        for page in run["pages"]:
            print(
                f"{run['database']:10} {page['name']:18} {page['requests_per_second']:9.0f} "
                f"{page['p50_ms']:8.2f} {page['p99_ms']:8.2f} {page['errors']:7d}"
            )
        search = run["search"]
        print(
            f"{run['database']:10} {'search (service)':18} {'':9} {search['p50_ms']:8.2f} "
            f"{'p95 ' + format(search['p95_ms'], '.2f'):>8}"
        )


if __name__ == "__main__":
    main()
