"""read_ahead: a pool's results produced by a thread ahead of a busy consumer, in order, its errors
raised to the consumer, and its source closed (workers stopped) when the consumer stops early."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from auditor.pool import KillingPool, read_ahead


def _counted(n: int, produced: list[int], closed: threading.Event, fail_at: int | None = None):
    try:
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"item {i}")
            produced.append(i)
            yield i
    finally:
        closed.set()


def _wait_for(condition, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_items_come_in_order_and_the_source_runs_ahead_of_a_busy_consumer():
    produced: list[int] = []
    closed = threading.Event()
    items = read_ahead(_counted(20, produced, closed), depth=4)
    assert next(items) == 0
    # the consumer is busy: the thread has gone on, as far as the depth allows, and no further
    assert _wait_for(lambda: len(produced) >= 5)
    time.sleep(0.2)
    assert len(produced) <= 1 + 4 + 1
    assert list(items) == list(range(1, 20)) and closed.is_set()


def test_an_error_of_the_source_is_raised_to_the_consumer():
    closed = threading.Event()
    items = read_ahead(_counted(10, [], closed, fail_at=3), depth=2)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="item 3"):
        next(items)
    assert closed.is_set()


def test_a_consumer_that_stops_early_stops_the_source():
    produced: list[int] = []
    closed = threading.Event()
    items = read_ahead(_counted(10_000, produced, closed), depth=3)
    assert next(items) == 0
    items.close()
    assert closed.is_set() and len(produced) < 10


def mark_done(item: tuple[str, int]) -> int:
    folder, number = item
    Path(folder, f"{number}.done").touch()
    return number


def test_pool_workers_keep_working_while_the_consumer_holds_a_result(tmp_path):
    """With the consumer holding the first result, every item still gets done: a pool's own map would
    send nothing more until the consumer asked for the next result."""
    pool = KillingPool(work=mark_done, on_timeout=repr, on_crash=repr, jobs=2, timeout_s=60)
    items = read_ahead(pool.map([(str(tmp_path), i) for i in range(8)]), depth=8)
    assert next(items) == 0
    assert _wait_for(lambda: len(list(tmp_path.glob("*.done"))) == 8, seconds=60)
    assert list(items) == list(range(1, 8))
