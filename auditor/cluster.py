"""The batch on a dask.distributed cluster: each file a task, results back in input order.

A cluster worker guards every task as the local pool does: the file is read in a killable child
process kept by the worker (the same time limit and memory cap), so a parser stuck in one C call
costs that child, not the worker. A worker lost mid-run (killed, out of memory, its machine gone)
has its tasks rescheduled by the scheduler on the others; a file that takes down every worker it
is given ends as a failure with its reason, never as a stopped batch. At most a window of tasks is
in flight, so the driver's memory does not grow with the corpus.

Workers read the files by their absolute paths: the inputs must be on a file system every worker
sees (the usual shared disk of a cluster).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

INSTALL = 'pip install "auditor[cluster]"'


class ClusterError(Exception):
    """The cluster cannot be used (not installed, unreachable, workers of another version); the
    message says what to do, in Chinese."""


_runners = threading.local()


def _remote(work: Callable[[Any], Any], on_timeout: Callable[[Any], Any], on_crash: Callable[[Any], Any],
            timeout_s: float, memory_mb: float, item: Any) -> Any:
    """Runs on a cluster worker: the item in this worker thread's killable child. A daemonic worker
    (dask's default outside `auditor`'s own LocalCluster) cannot have children: there the item runs
    in the worker itself, guarded by the nanny's memory limit and the scheduler's rescheduling."""
    from .pool import IsolatedRunner

    if (timeout_s <= 0 and memory_mb <= 0) or multiprocessing.current_process().daemon:
        return work(item)
    runner = getattr(_runners, "runner", None)
    if runner is None or (runner.work, runner.timeout_s, runner.memory_mb) != (work, timeout_s, memory_mb):
        if runner is not None:
            runner.close()
        runner = _runners.runner = IsolatedRunner(work, on_timeout, on_crash, timeout_s, memory_mb)
    return runner(item)


def _version() -> str:
    from . import __version__

    return __version__


@contextlib.contextmanager
def connect(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, or of a LocalCluster of `workers` single-threaded worker
    processes on loopback (its status page on a free loopback port) when none is given."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(f"使用 dask 集群需要先安装集群组件：{INSTALL}") from None
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout="15s"))
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(f"无法连接 dask 调度器 {scheduler}（{exc}）："
                                   "请确认调度器已启动、地址和端口正确") from None
        else:
            # workers that may start children: each keeps a killable child for its files
            stack.enter_context(dask.config.set({"distributed.worker.daemon": False}))
            cluster = stack.enter_context(LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                                       host="127.0.0.1", dashboard_address="127.0.0.1:0"))
            client = stack.enter_context(Client(cluster))
        mine = _version()
        theirs = {v for v in client.run(_version).values()}
        if theirs - {mine}:
            raise ClusterError(f"集群工作节点上的 auditor 版本（{'、'.join(sorted(theirs))}）与本机（{mine}）不同，"
                               "请在每个节点安装同一版本")
        yield client


def run_on_dask(items: Sequence[Item], work: Callable[[Item], Result], on_timeout: Callable[[Item], Result],
                on_crash: Callable[[Item], Result], timeout_s: float, memory_mb: float, scheduler: str | None,
                workers: int, window: int | None = None) -> Iterator[Result]:
    """Yield `work(item)` for every item, in the order given, computed on the cluster."""
    if not items:
        return
    from distributed import as_completed

    with connect(scheduler, workers) as client:
        cores = sum(client.nthreads().values()) or 1
        window = window or max(16, 4 * cores)
        run = uuid.uuid4().hex[:12]
        done: dict[int, Result] = {}
        index_of: dict[str, int] = {}
        submitted = next_out = 0
        futures = as_completed()

        def submit() -> None:
            nonlocal submitted
            while submitted < len(items) and submitted - next_out < window:
                future = client.submit(_remote, work, on_timeout, on_crash, timeout_s, memory_mb, items[submitted],
                                       key=f"auditor-{run}-{submitted}", pure=False)
                index_of[future.key] = submitted
                futures.add(future)
                submitted += 1

        submit()
        for future in futures:
            index = index_of.pop(future.key)
            try:
                done[index] = future.result()
            except Exception:  # KilledWorker: the file took down every worker it was given
                done[index] = on_crash(items[index])
            future.release()
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            submit()
