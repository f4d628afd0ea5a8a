"""Inventory helpers with a few classic Python pitfalls."""
import logging
import pdb

import requests

logger = logging.getLogger(__name__)


def add_item(item, bucket=[]):  # arbiter-expect: PY-BUG-001
    bucket.append(item)
    return bucket


def merge_options(overrides, defaults={}):  # arbiter-expect: PY-BUG-001
    defaults.update(overrides)
    return defaults


def tag_set(tag, seen=set()):  # arbiter-expect: PY-BUG-001
    seen.add(tag)
    return seen


def parse_quantity(raw):
    try:
        return int(raw)
    except:  # arbiter-expect: PY-BUG-002
        return 0


def is_default(name):
    return name is "default"  # arbiter-expect: PY-BUG-003


def is_empty(count):
    if count is 0:  # arbiter-expect: PY-BUG-003
        return True
    return False


def stock_level(sku):
    resp = requests.get(f"https://inventory.internal/api/stock/{sku}")  # arbiter-expect: PY-BUG-004
    return resp.json()


def total(prices):
    result = 0
    for i in range(len(prices)):  # arbiter-expect: PY-PERF-001
        result += prices[i]
    return result


def count_lines(path):
    n = 0
    with open(path) as fh:
        for line in fh.readlines():  # arbiter-expect: PY-PERF-002
            n += 1 if line.strip() else 0
    return n


def debug_dump(rows):
    print("rows:", rows)  # arbiter-expect: PY-QUAL-001
    pdb.set_trace()  # arbiter-expect: PY-QUAL-002
    return rows


def inspect_row(row):
    breakpoint()  # arbiter-expect: PY-QUAL-002
    return row


# ---------------------------------------------------------------- safe look-alikes

def add_item_safe(item, bucket=None):
    bucket = [] if bucket is None else bucket
    bucket.append(item)
    return bucket


def window(items, size=3, pad=()):
    return [items[i:i + size] for i in range(0, len(items), size)] or [pad]


def parse_quantity_safe(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        logger.warning("bad quantity %r", raw)
        return 0


def is_default_safe(name, flag):
    if flag is None or flag is True:
        return name == "default"
    return name is not None


def stock_level_safe(sku):
    resp = requests.get(f"https://inventory.internal/api/stock/{sku}", timeout=5)
    return resp.json()


def stock_level_multiline(sku):
    resp = requests.get(
        f"https://inventory.internal/api/stock/{sku}",
        timeout=5,
    )
    return resp.json()


def total_safe(prices):
    result = 0
    for i, price in enumerate(prices):
        result += price * (1 if i < 100 else 0)
    return result


def count_lines_safe(path):
    with open(path) as fh:
        return sum(1 for line in fh if line.strip())


def describe(rows):
    logger.info("this is 5 rows max: %d", len(rows))
    # print(rows) is handy while debugging
    return "except: is discouraged"
