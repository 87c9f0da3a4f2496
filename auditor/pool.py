"""Worker processes that can be killed: each item runs in a child process under a memory cap, and
an item that runs past its time limit has its worker killed (SIGKILL), not asked to stop.

A flag checked between steps, or a SIGALRM raised into Python, cannot stop a parser stuck in one
C call (a billion-cell allocation, a regular expression); only killing the process can. A killed
or crashed worker is replaced and the batch goes on; results come back in input order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def _address_space() -> int:
    """Bytes of address space this process already holds (a forked worker inherits its parent's)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(megabytes: float) -> None:
    """Cap what this process may allocate from now on, so a runaway allocation is a MemoryError, not
    a machine brought down (POSIX only; elsewhere the readers' own size caps are the guard). The cap is
    on top of what the process already maps: a worker forked from a large parent is not born over it."""
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:
        return
    limit = _address_space() + int(megabytes * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, work: Callable[[Any], Any], memory_mb: float) -> None:
    limit_memory(memory_mb)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        conn.send(work(item))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    index: int | None = None
    started: float = 0.0


def _start(work: Callable[[Any], Any], memory_mb: float) -> _Worker:
    context = multiprocessing.get_context()
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, work, memory_mb), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def _stop(worker: _Worker, kill: bool) -> None:
    if kill:
        worker.process.kill()
    else:
        try:
            worker.conn.send(None)
        except (OSError, ValueError):
            worker.process.kill()
    worker.process.join(timeout=5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


@dataclass
class KillingPool(Generic[Item, Result]):
    """Run `work(item)` for every item in `jobs` killable worker processes.

    `on_timeout(item)` and `on_crash(item)` turn an item whose worker was killed or died into a
    result, so every item yields exactly one result, in order."""

    work: Callable[[Item], Result]
    on_timeout: Callable[[Item], Result]
    on_crash: Callable[[Item], Result]
    jobs: int = 1
    timeout_s: float = 0.0  # 0: no limit
    memory_mb: float = 0.0  # 0: no cap
    _workers: list[_Worker] = field(default_factory=list)

    def map(self, items: Sequence[Item]) -> Iterator[Result]:
        """Yield one result per item, in the order given."""
        results: dict[int, Result] = {}
        pending = deque(range(len(items)))
        next_out = 0
        self._workers = [_start(self.work, self.memory_mb) for _ in range(min(max(1, self.jobs), len(items)))]
        try:
            while next_out < len(items):
                for worker in self._workers:
                    if worker.index is None and pending:
                        worker.index = pending.popleft()
                        worker.started = time.monotonic()
                        worker.conn.send(items[worker.index])
                self._collect(items, results)
                while next_out in results:
                    yield results.pop(next_out)
                    next_out += 1
        finally:
            for worker in self._workers:
                _stop(worker, kill=worker.index is not None)
            self._workers = []

    def _collect(self, items: Sequence[Item], results: dict[int, Result]) -> None:
        """Wait for the next result, deadline or death, and replace any worker that is gone."""
        busy = [w for w in self._workers if w.index is not None]
        if not busy:
            return
        wait_s = None
        if self.timeout_s > 0:
            now = time.monotonic()
            wait_s = max(0.0, min(w.started + self.timeout_s for w in busy) - now)
        ready = set(wait([w.conn for w in busy], timeout=wait_s))
        now = time.monotonic()
        for position, worker in enumerate(self._workers):
            if worker.index is None:
                continue
            index = worker.index
            if worker.conn in ready:
                try:
                    results[index] = worker.conn.recv()
                    worker.index = None
                    continue
                except (EOFError, OSError):
                    results[index] = self.on_crash(items[index])
            elif self.timeout_s > 0 and now - worker.started >= self.timeout_s:
                results[index] = self.on_timeout(items[index])
            else:
                continue
            worker.index = None
            _stop(worker, kill=True)
            self._workers[position] = _start(self.work, self.memory_mb)


@dataclass
class IsolatedRunner(Generic[Item, Result]):
    """One killable worker process kept for item after item (a cluster worker's guard around each task):
    the same time and memory limits as KillingPool, for callers that hand over one item at a time."""

    work: Callable[[Item], Result]
    on_timeout: Callable[[Item], Result]
    on_crash: Callable[[Item], Result]
    timeout_s: float = 0.0
    memory_mb: float = 0.0
    _worker: _Worker | None = None

    def __call__(self, item: Item) -> Result:
        if self._worker is None or not self._worker.process.is_alive():
            self._worker = _start(self.work, self.memory_mb)
        worker = self._worker
        try:
            worker.conn.send(item)
            if worker.conn.poll(self.timeout_s if self.timeout_s > 0 else None):
                return worker.conn.recv()
            result = self.on_timeout(item)
        except (EOFError, OSError):
            result = self.on_crash(item)
        self._worker = None
        _stop(worker, kill=True)
        return result

    def close(self) -> None:
        if self._worker is not None:
            _stop(self._worker, kill=False)
            self._worker = None


_END = object()


def read_ahead(source: Iterator[Result], depth: int) -> Iterator[Result]:
    """The items of `source`, produced by a thread up to `depth` items ahead of the consumer.

    A pool's `map` is a generator: while its consumer is busy (placing a result, replaying stored
    ones) it is suspended and sends its idle workers nothing. Iterated by a thread, it keeps them
    busy; `depth` bounds what waits in memory. An exception from `source` is raised to the
    consumer; a consumer that stops early stops the thread, which closes `source` (its workers)."""
    ready: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(entry: tuple[Any, BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not offer((item, None)):
                    break
            else:
                offer((_END, None))
        except BaseException as exc:  # handed to the consumer, raised there
            offer((_END, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="auditor-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()
