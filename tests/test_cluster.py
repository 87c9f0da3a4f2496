"""`auditor audit --engine dask`: the batch on a dask.distributed LocalCluster of two workers over
loopback gives the local engine's results byte for byte, and survives a worker killed mid-run."""

from __future__ import annotations

import os
import shutil
import signal

import pytest
from conftest import SAMPLES

from auditor import api

dask = pytest.importorskip("dask")  # the README's test command installs the cluster extra
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    loopback = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}
    with (dask.config.set({"distributed.worker.daemon": False}),
          distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **loopback) as local,
          distributed.Client(local) as client):
        yield local, client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The samples three times over (as three bureaus), and one file no reader takes."""
    folder = tmp_path_factory.mktemp("inputs")
    for copy in range(3):
        for sample in sorted(SAMPLES.glob("*.txt")):
            text = sample.read_text(encoding="utf-8")
            (folder / f"{copy}_{sample.name}").write_text(text.replace("局", f"局{copy}" if copy else "局"),
                                                          encoding="utf-8")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return folder


def test_dask_engine_gives_the_local_results_byte_for_byte(cluster, inputs, tmp_path):
    local, _ = cluster
    here = api.audit_to([inputs], tmp_path / "local", api.Options(jobs=2))
    there = api.audit_to([inputs], tmp_path / "dask", api.Options(engine="dask", scheduler=local.scheduler_address))
    assert (here.done, here.failed) == (there.done, there.failed) == (12, 1)
    assert (tmp_path / "local" / "审核结果.json").read_bytes() == (tmp_path / "dask" / "审核结果.json").read_bytes()
    assert (tmp_path / "local" / "审核结果.jsonl").read_bytes() == (tmp_path / "dask" / "审核结果.jsonl").read_bytes()


def test_a_worker_killed_mid_run_loses_nothing(cluster, inputs, tmp_path):
    local, client = cluster
    reference = api.audit_to([inputs], tmp_path / "local", api.Options(jobs=2))
    killed: list[int] = []

    def kill_one_worker() -> None:
        if not killed:
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    outcome = api.audit_to([inputs], tmp_path / "dask", api.Options(engine="dask", scheduler=local.scheduler_address),
                           on_file=kill_one_worker)
    assert killed
    assert (outcome.done, outcome.failed) == (reference.done, reference.failed) == (12, 1)
    assert (tmp_path / "local" / "审核结果.json").read_bytes() == (tmp_path / "dask" / "审核结果.json").read_bytes()
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_the_cli_starts_its_own_local_cluster(inputs, tmp_path):
    from click.testing import CliRunner

    from auditor.cli import main

    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(next(inputs.glob("0_000*.txt")), one)
    result = CliRunner().invoke(main, ["audit", str(one), "-o", str(tmp_path / "out"), "--engine", "dask", "-j", "2",
                                       "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert "已审核 1 份文件" in result.output
    refused = CliRunner().invoke(main, ["audit", str(one), "-o", str(tmp_path / "out2"), "--scheduler", "tcp://x:1"])
    assert refused.exit_code == 2 and "--engine dask" in refused.output


def test_an_interrupted_batch_resumes_without_redoing_finished_documents(cluster, inputs, tmp_path):
    local, _ = cluster
    reference = tmp_path / "reference"
    api.audit_to([inputs], reference, api.Options(jobs=2))
    options = api.Options(engine="dask", scheduler=local.scheduler_address)
    seen: list[int] = []

    def stop_at_the_fifth() -> None:
        seen.append(1)
        if len(seen) == 5:
            raise KeyboardInterrupt  # the user's Ctrl-C, after four documents were stored

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        api.audit_to([inputs], out, options, on_file=stop_at_the_fifth)
    assert not (out / "审核结果.json").exists()  # no half report
    resumed = api.audit_to([inputs], out, options)
    assert resumed.resumed == 4 and resumed.cached >= 4  # the four finished ones were not read again
    assert (resumed.done, resumed.failed) == (12, 1)
    assert (out / "审核结果.json").read_bytes() == (reference / "审核结果.json").read_bytes()
    fresh = api.audit_to([inputs], out, options, resume=False)
    assert (fresh.resumed, fresh.cached) == (0, 0)
