"""The web page's API: the token, the upload limits and the zip checks, each refused with a clear
Chinese message and nothing written outside the job's folder; a sample audited through it; verdicts
saved, fed to the next run, and the same workbook as the CLI."""

from __future__ import annotations

import io
import shutil
import stat
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient

from auditor import api
from auditor.web.app import ServeConfig, create_app
from auditor.web.uploads import Limits

SAMPLES = Path(__file__).parent.parent / "samples"
TOKEN = "t" * 24
HEADERS = {"X-Auditor-Token": TOKEN}
MB = 1024 * 1024


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture
def server(tmp_path):
    limits = Limits(max_file_mb=1, max_job_mb=3, max_files=5, max_expanded_mb=4)
    config = ServeConfig(token=TOKEN, work=tmp_path / "work", store=tmp_path / "store" / "reviews.sqlite",
                         limits=limits, options=api.Options(jobs=1, max_size_mb=1))
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        yield client, tmp_path


def _job(client) -> str:
    response = client.post("/api/jobs", headers=HEADERS)
    assert response.status_code == 200
    return response.json()["id"]


def _put(client, job: str, name: str, data: bytes):
    return client.put(f"/api/jobs/{job}/files?name={quote(name)}", content=data, headers=HEADERS)


def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _wait(client, job: str) -> dict:
    for _ in range(600):
        data = client.get(f"/api/jobs/{job}", headers=HEADERS).json()
        if data["progress"]["state"] in ("done", "failed"):
            return data
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def _document(client, job: str, index: int) -> dict:
    response = client.get(f"/api/jobs/{job}/documents/{index}", headers=HEADERS)
    assert response.status_code == 200
    return response.json()


def test_every_request_needs_the_token(server):
    client, _ = server
    assert client.post("/api/jobs").status_code == 401
    wrong = client.post("/api/jobs", headers={"X-Auditor-Token": "x" * 24})
    assert wrong.status_code == 401 and "访问令牌" in wrong.json()["error"]
    assert client.get("/").status_code == 401
    assert client.get("/static/app.js").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    # the printed address sets the cookie; the page and its files then load, the token in the page
    opened = client.get(f"/?token={TOKEN}", follow_redirects=True)
    assert opened.status_code == 200 and TOKEN in opened.text and "绩效目标审核" in opened.text
    assert client.get("/static/app.js").status_code == 200
    # a cookie alone does not let a request change anything (another site could make a browser send it)
    assert client.post("/api/jobs").status_code == 401


def test_a_request_for_another_host_is_refused(server):
    client, _ = server
    response = client.post("http://evil.example/api/jobs", headers=HEADERS)
    assert response.status_code == 403 and "本机" in response.json()["error"]


def test_oversized_upload_refused_by_its_declared_size_and_by_what_was_sent(server):
    client, tmp = server
    job = _job(client)
    before = _tree(tmp)
    response = _put(client, job, "大文件.pdf", b"x" * (MB + 10))
    assert response.status_code == 413
    assert "大文件.pdf" in response.json()["error"] and "上限 1 MB" in response.json()["error"]

    def chunks():  # no Content-Length: the bytes are counted as they arrive
        for _ in range(5):
            yield b"y" * (MB // 2)

    sent = client.put(f"/api/jobs/{job}/files?name=x.txt", content=chunks(), headers=HEADERS)
    assert sent.status_code == 413 and "x.txt" in sent.json()["error"]
    assert _tree(tmp) == before  # nothing kept, no partial file left


def test_zip_with_parent_or_absolute_members_or_links_refused_whole(server):
    client, tmp = server
    job = _job(client)
    good = (SAMPLES / "000_6173ad3f6f2e28ea.txt").read_bytes()
    before = _tree(tmp)
    for members, links, words in (({"ok.txt": good, "../../escape.txt": b"x"}, (), ".."),
                                  ({"ok.txt": good, "/etc/cron.d/x": b"x"}, (), "绝对路径"),
                                  ({"ok.txt": good}, ("link.txt",), "链接")):
        response = _put(client, job, "部门.zip", _zip(members, links))
        assert response.status_code == 400, members
        message = response.json()["error"]
        assert "部门.zip" in message and words in message and "拒绝" in message
    assert _tree(tmp) == before
    assert not (tmp.parent / "escape.txt").exists()


def test_zip_bomb_refused_before_it_is_unpacked(server):
    client, tmp = server
    job = _job(client)
    before = _tree(tmp)
    response = _put(client, job, "炸弹.zip", _zip({"a.txt": b"0" * (3 * MB)}))
    assert response.status_code == 413 and "压缩炸弹" in response.json()["error"]
    # a member whose header understates its size is stopped at the declared size
    lying = bytearray(_zip({"b.txt": b"ab" * 400_000}))
    info = zipfile.ZipFile(io.BytesIO(bytes(lying))).infolist()[0]
    for offset in (info.header_offset + 22, lying.rfind(b"PK\x01\x02") + 24):  # uncompressed size, both headers
        lying[offset:offset + 4] = (1000).to_bytes(4, "little")
    response = _put(client, job, "谎报.zip", bytes(lying))
    assert response.status_code in (400, 413) and "谎报.zip" in response.json()["error"]
    assert _tree(tmp) == before


def test_too_many_files_and_bad_names(server):
    client, _ = server
    job = _job(client)
    many = _zip({f"{n}.txt": b"x" for n in range(6)})
    response = _put(client, job, "多.zip", many)
    assert response.status_code == 413 and "最多 5 个" in response.json()["error"]
    for name in ("../x.txt", "a/b.txt", "C:\\x.txt", ""):
        response = _put(client, job, name, b"x")
        assert response.status_code == 400 and "文件名" in response.json()["error"], name


def test_zip_names_from_chinese_windows_are_read(server):
    client, _ = server
    job = _job(client)
    # a GBK name with no UTF-8 flag, as archivers on Chinese Windows write it
    gbk = "单位甲.txt".encode("gbk")
    placeholder = b"x" * (len(gbk) - 4) + b".txt"
    plain = _zip({placeholder.decode(): (SAMPLES / "000_6173ad3f6f2e28ea.txt").read_bytes()})
    response = _put(client, job, "部门.zip", plain.replace(placeholder, gbk))
    assert response.status_code == 200 and response.json()["files"] == ["部门/单位甲.txt"]


def test_a_sample_audited_marked_and_rerun(server):
    client, tmp = server
    job = _job(client)
    assert _put(client, job, "000.txt", (SAMPLES / "000_6173ad3f6f2e28ea.txt").read_bytes()).status_code == 200
    assert _put(client, job, "legacy.doc", b"\xd0\xcf\x11\xe0 not really").status_code == 200
    response = client.post(f"/api/jobs/{job}/start", headers=HEADERS, json={"office": "某县财政局"})
    assert response.status_code == 200
    data = _wait(client, job)
    assert data["progress"]["state"] == "done", data["progress"]
    result = data["result"]
    (summary,) = result["documents"]
    assert summary["file"] == "000.txt" and summary["grade"] in ("优", "良", "中", "差")
    # the list counts every finding (the doubled values folded into another one too), as the badges do
    assert sum(n for *_, n in summary["tally"]) == sum(summary["counts"].values())
    doc = _document(client, job, 0)["document"]
    assert doc["counts"] == summary["counts"]
    assert client.get(f"/api/jobs/{job}/documents/1", headers=HEADERS).status_code == 404
    assert [f["file"] for f in result["failures"]] == ["legacy.doc"]  # listed with its reason, never lost
    scores = [p["score"] for p in doc["projects"]]
    assert scores == sorted(scores)  # worst first
    flagged = [r for p in doc["projects"] for r in p["rows"] if r["severity"]]
    assert flagged and all(r["rules"] for r in flagged)
    finding = next(f for p in doc["projects"] for f in p["findings"] if f["level3"])
    assert client.post("/api/reviews", headers=HEADERS,
                       json={"fingerprint": finding["fingerprint"], "verdict": "不知道"}).status_code == 400
    saved = client.post("/api/reviews", headers=HEADERS,
                        json={"fingerprint": finding["fingerprint"], "verdict": "误报", "remark": "已核实"})
    assert saved.status_code == 200
    client.post(f"/api/jobs/{job}/start", headers=HEADERS, json={})
    again = _wait(client, job)["result"]
    opened = _document(client, job, 0)
    doc = opened["document"]
    shown = {f["fingerprint"] for p in doc["projects"] for f in p["findings"]}
    assert finding["fingerprint"] not in shown
    assert [f["fingerprint"] for f in doc["suppressed"]] == [finding["fingerprint"]]
    assert opened["reviews"][finding["fingerprint"]] == {"verdict": "误报", "remark": "已核实"}
    assert again["documents"][0]["suppressed"] == 1
    # the workbook is the CLI's: 已排除 holds the finding with the reviewer's remark
    assert "审核汇总.xlsx" in again["downloads"]
    download = client.get(f"/api/jobs/{job}/download/{quote('审核汇总.xlsx')}", headers=HEADERS)
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    excluded = [[str(c) for c in row if c is not None] for row in book["已排除"].iter_rows(values_only=True)]
    assert any("已核实" in " ".join(row) for row in excluded)
    unit = next(p for p in again["downloads"] if p.startswith("各单位审核意见/"))
    assert client.get(f"/api/jobs/{job}/download/{quote(unit)}", headers=HEADERS).status_code == 200
    bundle = client.get(f"/api/jobs/{job}/units.zip", headers=HEADERS)
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zipped:
        assert zipped.namelist() == [unit.split("/", 1)[1]]
        assert openpyxl.load_workbook(io.BytesIO(zipped.read(zipped.namelist()[0])), read_only=True).sheetnames
    for path in ("../../store/reviews.sqlite", "/etc/passwd", "inputs/000.txt"):
        assert client.get(f"/api/jobs/{job}/download/{path}", headers=HEADERS).status_code == 404
    folder = tmp / "work" / "jobs" / job
    assert client.delete(f"/api/jobs/{job}", headers=HEADERS).json() == {"removed": True}
    assert not folder.exists()


def test_template_and_rule_explanations(server):
    client, _ = server
    template = client.get("/api/template", headers=HEADERS)
    assert template.status_code == 200
    assert "绩效目标" in openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames
    rule = client.get("/api/rules/v02", headers=HEADERS).json()
    assert rule["code"] == "V02" and rule["fail"] and rule["basis"]
    assert client.get("/api/rules/ZZ99", headers=HEADERS).status_code == 404


def test_reviews_persist_in_the_store(tmp_path):
    from auditor.web.store import ReviewStore

    store = ReviewStore(tmp_path / "r.sqlite")
    store.save("abc123", "误报", "说明")
    store.save("def456", "确认")
    assert ReviewStore(tmp_path / "r.sqlite").reviews()["abc123"].remark == "说明"
    store.save("abc123", "", "")
    assert set(store.reviews()) == {"def456"}
    with pytest.raises(ValueError):
        store.save("abc; DROP", "误报")


def test_job_folders_removed_when_the_server_stops(tmp_path):
    config = ServeConfig(token=TOKEN, work=tmp_path / "work", store=tmp_path / "r.sqlite")
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        job = _job(client)
        assert _put(client, job, "a.txt", b"x").status_code == 200
    assert not (tmp_path / "work" / "jobs").exists()
    shutil.rmtree(tmp_path / "work")
    assert _tree(tmp_path) <= {"r.sqlite", "r.sqlite-wal", "r.sqlite-shm"}


def test_serve_refuses_an_open_address_without_a_token_and_a_short_token():
    from click.testing import CliRunner

    from auditor.cli import main

    open_address = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--no-open"])
    assert open_address.exit_code == 2 and "--token" in open_address.output
    short = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--token", "short", "--no-open"])
    assert short.exit_code == 2 and "太短" in short.output


def test_every_response_carries_the_security_headers(server):
    client, _ = server
    for response in (client.get("/"), client.post("/api/jobs", headers=HEADERS), client.get("/static/app.js")):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_a_document_the_page_cannot_show_is_listed_and_the_batch_goes_on(server, monkeypatch):
    from auditor.web import jobs as jobs_module

    client, _ = server
    real = jobs_module.page_document

    def fragile(checked, shown):
        if shown == "a.txt":
            raise ValueError("broken view")
        return real(checked, shown)

    monkeypatch.setattr(jobs_module, "page_document", fragile)
    job = _job(client)
    sample = (SAMPLES / "000_6173ad3f6f2e28ea.txt").read_bytes()
    for name in ("a.txt", "b.txt"):
        assert _put(client, job, name, sample).status_code == 200
    client.post(f"/api/jobs/{job}/start", headers=HEADERS, json={})
    result = _wait(client, job)["result"]
    assert [d["file"] for d in result["documents"]] == ["b.txt"]
    assert [f["file"] for f in result["failures"]] == ["a.txt"] and "工作簿" in result["failures"][0]["error"]


def test_a_percent_sign_in_a_file_name_is_kept(server):
    client, _ = server
    job = _job(client)
    response = _put(client, job, "完成率100%.txt", b"x")
    assert response.status_code == 200 and response.json()["files"] == ["完成率100%.txt"]
