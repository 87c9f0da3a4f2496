"""The web page's server (Starlette): the page itself, shipped in the package (nothing is fetched from
outside the machine, so it works on an offline intranet), and the JSON API it calls.

Every request needs the server's token. Opening the address printed at start (`/?token=…`) sets it in
a cookie and the page carries it in a header; a request that changes anything must send the header,
so another site cannot make a browser act here. On a loopback address, requests naming another host
are refused (DNS rebinding).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__, api
from .jobs import JobManager, RunSettings, own_path
from .store import ReviewStore
from .uploads import Limits, UploadRefused

STATIC = Path(__file__).parent / "static"
COOKIE = "auditor_token"
HEADER = "x-auditor-token"
MAX_JSON = 64 * 1024
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PROFILES = ("national", "shanxi")

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class ServeConfig:
    token: str
    work: Path
    store: Path
    limits: Limits = field(default_factory=Limits)
    options: api.Options = field(default_factory=api.Options)
    host: str = "127.0.0.1"
    keep_minutes: float = 120.0


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(config: ServeConfig) -> Starlette:
    store = ReviewStore(config.store)
    jobs = JobManager(config.work, config.limits, config.options, store, config.keep_minutes)
    loopback = config.host in LOOPBACK_NAMES

    def authorised(request: Request, write: bool) -> Response | None:
        if loopback and request.url.hostname not in LOOPBACK_NAMES:
            return _error("只接受本机地址的访问", 403)
        sent = request.headers.get(HEADER) or ("" if write else request.cookies.get(COOKIE, ""))
        if not sent or not secrets.compare_digest(sent.encode(), config.token.encode()):
            return _error("访问令牌不对或缺失：请打开启动 auditor serve 时显示的地址", 401)
        return None

    def guarded(handler: Handler, write: bool = False) -> Handler:
        async def run(request: Request) -> Response:
            refused = authorised(request, write)
            return refused if refused is not None else await handler(request)
        return run

    async def page(request: Request) -> Response:
        given = request.query_params.get("token")
        if given is not None:
            if not secrets.compare_digest(given.encode(), config.token.encode()):
                return HTMLResponse(_message_page("访问令牌不对：请打开启动 auditor serve 时显示的地址。"), 401)
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(COOKIE, config.token, httponly=True, samesite="strict")
            return response
        if authorised(request, write=False) is not None:
            return HTMLResponse(_message_page("需要访问令牌：请打开启动 auditor serve 时显示的地址（带 ?token=…）。"),
                                401)
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(html.replace("{{TOKEN}}", config.token).replace("{{VERSION}}", __version__),
                            headers={"Cache-Control": "no-store"})

    async def new_job(request: Request) -> Response:
        try:
            job = jobs.create()
        except OverflowError as exc:
            return _error(str(exc), 503)
        return JSONResponse({"id": job.id})

    def job_of(request: Request):
        return jobs.get(request.path_params["job"])

    async def upload(request: Request) -> Response:
        job = job_of(request)
        if job is None:
            return _error("没有这个任务（可能已过期），请重新上传", 404)
        if job.state != "uploading":
            return _error("这个任务已经开始审核，不能再添加文件", 409)
        name = request.query_params.get("name", "")  # decoded once, by the query parser
        declared = request.headers.get("content-length")
        try:
            added = await job.folder.receive(name, request.stream(), int(declared) if declared else None)
        except UploadRefused as exc:
            return _error(str(exc), exc.status)
        except ValueError:
            return _error("请求的长度无效")
        return JSONResponse({"files": added, "count": len(job.folder.files)})

    async def start(request: Request) -> Response:
        job = job_of(request)
        if job is None:
            return _error("没有这个任务（可能已过期），请重新上传", 404)
        body = await _json(request)
        if isinstance(body, Response):
            return body
        profile = str(body.get("profile") or "national")
        if profile not in PROFILES:
            return _error(f"审核口径只能是 {'、'.join(PROFILES)}")
        if not job.folder.files:
            return _error("还没有上传文件")
        jobs.start(job, RunSettings(profile, str(body.get("office") or "")[:100],
                                    str(body.get("deadline") or "")[:100]))
        return JSONResponse(job.progress())

    async def status(request: Request) -> Response:
        job = job_of(request)
        if job is None:
            return _error("没有这个任务（可能已过期），请重新上传", 404)
        data: dict[str, Any] = {"progress": job.progress(), "files": job.folder.files}
        if job.state == "done":
            data["result"] = jobs.result(job)
        return JSONResponse(data)

    async def document(request: Request) -> Response:
        job = job_of(request)
        data = jobs.document(job, request.path_params["index"]) if job is not None else None
        return JSONResponse(data) if data is not None else _error("没有这份文件的结果", 404)

    async def download(request: Request) -> Response:
        job = job_of(request)
        path = request.path_params["path"]
        if job is None or job.state != "done" or not own_path(path) or path not in job.written:
            return _error("没有这个文件", 404)
        target = job.folder.out / path
        return FileResponse(target, filename=Path(path).name,
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            if path.endswith(".xlsx") else "application/json")

    async def units_zip(request: Request) -> Response:
        job = job_of(request)
        target = jobs.units_zip(job) if job is not None else None
        if target is None:
            return _error("没有单位审核意见可以下载", 404)
        return FileResponse(target, filename=target.name, media_type="application/zip")

    async def remove(request: Request) -> Response:
        return JSONResponse({"removed": jobs.remove(request.path_params["job"])})

    async def review(request: Request) -> Response:
        body = await _json(request)
        if isinstance(body, Response):
            return body
        try:
            store.save(str(body.get("fingerprint") or ""), str(body.get("verdict") or ""),
                       str(body.get("remark") or ""), str(body.get("file") or ""), str(body.get("rule") or ""))
        except ValueError as exc:
            return _error(str(exc))
        return JSONResponse({"saved": True})

    async def template(request: Request) -> Response:
        from ..template import write_template

        target = jobs.work / "绩效目标表（填报模板）.xlsx"
        if not target.exists():
            write_template(target)
        return FileResponse(target, filename=target.name)

    async def rule(request: Request) -> Response:
        from ..check.explain import explanation

        rules, profile = api.load(config.options)
        code = request.path_params["code"].upper()
        for candidate in rules:
            if candidate.code == code:
                return JSONResponse(explanation(candidate, rules, profile))
        return _error(f"没有规则 {code}", 404)

    async def limits(request: Request) -> Response:
        return JSONResponse(_limits(config.limits))

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        jobs.close()

    routes = [
        Route("/", page),
        Route("/api/jobs", guarded(new_job, write=True), methods=["POST"]),
        Route("/api/jobs/{job:str}", guarded(status)),
        Route("/api/jobs/{job:str}", guarded(remove, write=True), methods=["DELETE"]),
        Route("/api/jobs/{job:str}/files", guarded(upload, write=True), methods=["PUT"]),
        Route("/api/jobs/{job:str}/start", guarded(start, write=True), methods=["POST"]),
        Route("/api/jobs/{job:str}/documents/{index:int}", guarded(document)),
        Route("/api/jobs/{job:str}/units.zip", guarded(units_zip)),
        Route("/api/jobs/{job:str}/download/{path:path}", guarded(download)),
        Route("/api/reviews", guarded(review, write=True), methods=["POST"]),
        Route("/api/template", guarded(template)),
        Route("/api/rules/{code:str}", guarded(rule)),
        Route("/api/limits", guarded(limits)),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.jobs = jobs
    return _StaticGuard(app, authorised)


# every response: scripts and styles from this server only (document text shown by the page can never
# run as a script), no sniffing, no referrer carrying an address with the token, no framing
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class _StaticGuard:
    """The page's own scripts and styles need the token too (the cookie): nothing is served without it;
    every response carries the security headers."""

    def __init__(self, app: Starlette, authorised: Callable[[Request, bool], Response | None]) -> None:
        self.app, self.authorised = app, authorised
        self.state = app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        if scope["path"].startswith("/static/"):
            refused = self.authorised(Request(scope), False)
            if refused is not None:
                await refused(scope, receive, send_secured)
                return
        await self.app(scope, receive, send_secured)


async def _json(request: Request) -> dict[str, Any] | Response:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON:
            return _error("请求过大", 413)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error("请求不是有效的 JSON")
    return data if isinstance(data, dict) else _error("请求不是有效的 JSON")


def _limits(limits: Limits) -> dict[str, Any]:
    return {"max_file_mb": limits.max_file_mb, "max_job_mb": limits.max_job_mb, "max_files": limits.max_files}


def _message_page(text: str) -> str:
    from html import escape

    return ("<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>绩效目标审核</title>"
            "<body style='font-family:sans-serif;padding:2em'><h1>绩效目标审核</h1>"
            f"<p>{escape(text)}</p></body></html>")
