// The page of `auditor serve`. Document text is only ever set as textContent, never as markup.
"use strict";

const TOKEN = document.querySelector('meta[name="auditor-token"]').content;
const SEVERITIES = ["错误", "警告", "提示"];
const VERDICTS = ["确认", "误报", "待定"];
const $ = (id) => document.getElementById(id);

let chosen = [];
let job = null;
let result = null;
let reviews = {};  // fingerprint → the verdict saved for it

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function call(method, url, body, raw) {
  const headers = { "X-Auditor-Token": TOKEN };
  let payload = body;
  if (body !== undefined && !raw) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) throw new Error(data.error || `服务器返回 ${response.status}`);
  return data;
}

// ---- choosing and uploading files ----------------------------------------------------------
function choose(files) {
  for (const file of files) {
    if (!chosen.some((f) => f.name === file.name && f.size === file.size)) chosen.push(file);
  }
  const list = $("chosen");
  list.replaceChildren(...chosen.map((f) => el("li", { text: `${f.name}（${(f.size / 1024).toFixed(0)} KB）` })));
  $("start").disabled = chosen.length === 0;
  $("upload-error").textContent = "";
}

$("file-input").addEventListener("change", (e) => choose(e.target.files));
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); choose(e.dataTransfer.files); });

function settings() {
  return { profile: $("profile").value, office: $("office").value, deadline: $("deadline").value };
}

$("start").addEventListener("click", async () => {
  $("start").disabled = true;
  $("upload-error").textContent = "";
  showProgress(0, chosen.length, "正在上传……");
  try {
    job = (await call("POST", "/api/jobs")).id;
    await uploadAll(chosen);
    await call("POST", `/api/jobs/${job}/start`, settings());
    poll();
  } catch (error) {
    $("upload-error").textContent = error.message;
    $("progress-panel").hidden = true;
    $("start").disabled = false;
    if (job) call("DELETE", `/api/jobs/${job}`).catch(() => {});
    job = null;
  }
});

// a few files in flight at once: each request waits on reading its file, not on the server
async function uploadAll(files) {
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      await call("PUT", `/api/jobs/${job}/files?name=${encodeURIComponent(file.name)}`, file, true);
      sent += 1;
      showProgress(sent, files.length, `正在上传：${sent}/${files.length} 个文件`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
}

function showProgress(done, total, text) {
  $("progress-panel").hidden = false;
  $("progress").max = Math.max(total, 1);
  $("progress").value = done;
  $("progress-text").textContent = text;
}

async function poll() {
  let data;
  try {
    data = await call("GET", `/api/jobs/${job}`);
  } catch (error) {
    $("progress-text").textContent = error.message;
    return;
  }
  const p = data.progress;
  if (p.state === "queued") showProgress(0, p.files, "排队中……");
  if (p.state === "running") {
    const rate = p.rate ? `，每秒 ${p.rate} 个` : "";
    const left = p.left !== null ? `，约还需 ${Math.ceil(p.left)} 秒` : "";
    showProgress(p.done, p.total || p.files, `正在审核：已完成 ${p.done}/${p.total || p.files} 个文件${rate}${left}`);
  }
  if (p.state === "failed") {
    showProgress(0, 1, p.error);
    $("start").disabled = false;
    return;
  }
  if (p.state === "done") {
    showProgress(p.done, p.total || 1, `审核完成：${p.done} 个文件，用时 ${p.elapsed} 秒`);
    result = data.result;
    render();
    document.body.dataset.runs = p.runs;  // how many runs this page has shown (a re-run is one more)
    return;
  }
  setTimeout(poll, 300);
}

$("rerun").addEventListener("click", async () => {
  $("result-panel").hidden = true;
  try {
    await call("POST", `/api/jobs/${job}/start`, settings());
    poll();
  } catch (error) {
    alert(error.message);
  }
});

function reset() {
  if (job) call("DELETE", `/api/jobs/${job}`).catch(() => {});
  job = null; result = null; chosen = [];
  $("chosen").replaceChildren();
  $("result-panel").hidden = true;
  $("progress-panel").hidden = true;
  $("upload-error").textContent = "";
  $("start").disabled = true;
  $("file-input").value = "";
}
$("new-job").addEventListener("click", reset);
$("clear").addEventListener("click", reset);

// ---- the result ----------------------------------------------------------------------------
function render() {
  $("result-panel").hidden = false;
  // the summary first; the units' workbooks as one zip to send out, and one by one under it
  const link = (path) => el("a", { href: `/api/jobs/${job}/download/${path.split("/").map(encodeURIComponent).join("/")}`,
    class: "download", text: path.split("/").pop() });
  const books = result.downloads.filter((p) => p.endsWith(".xlsx"));
  const units = books.filter((p) => p.includes("/"));
  const parts = books.filter((p) => !p.includes("/")).map(link);
  if (units.length) {
    parts.push(el("a", { href: `/api/jobs/${job}/units.zip`, class: "download units-zip",
      text: `各单位审核意见（${units.length} 份，zip）` }));
    parts.push(el("details", { class: "unit-books" }, el("summary", { text: "逐个下载" }),
      el("ul", {}, ...units.map((p) => el("li", {}, link(p))))));
  }
  $("downloads").replaceChildren(...parts);
  const kind = $("kind-filter");
  const current = kind.value;
  kind.replaceChildren(el("option", { value: "", text: "全部" }),
    ...result.kinds.map((k) => el("option", { value: k.kind, text: k.label })));
  kind.value = result.kinds.some((k) => k.kind === current) ? current : "";
  const failures = $("failures");
  failures.replaceChildren();
  if (result.failures.length) {
    failures.append(el("div", { class: "panel failures" }, el("h2", { text: `未审核的文件（${result.failures.length} 个）` }),
      el("ul", {}, ...result.failures.map((f) => el("li", {}, el("strong", { text: f.file }), "：", f.error)))));
  }
  reviews = {};
  const ranked = [...result.documents].sort((a, b) => a.score - b.score);
  $("documents").replaceChildren(...ranked.map(renderDocument));
  applyFilters();
}

function counts(c) {
  return el("span", { class: "counts" }, ...SEVERITIES.map((s) => el("span", { class: `badge sev-${s}`, text: `${s} ${c[s]}` })));
}

function renderDocument(summary) {
  const head = el("div", { class: "doc-head" },
    el("h2", { text: `${summary.unit || "（未识别单位）"}${summary.year ? `（${summary.year}年）` : ""}` }),
    el("span", { class: `score grade-${summary.grade}`, text: `${summary.score} 分 · ${summary.grade}` }),
    counts(summary.counts),
    el("span", { class: "file", text: `${summary.file} · ${summary.kind}` }));
  // one document is shown open; a batch lists its documents worst first, each fetched when opened
  const single = result.documents.length === 1;
  const section = el("details", { class: "document panel", open: single, "data-index": summary.index },
    el("summary", {}, head));
  const fill = async () => {
    if (section.dataset.filled) return;
    section.dataset.filled = "loading";
    try {
      const data = await call("GET", `/api/jobs/${job}/documents/${summary.index}`);
      Object.assign(reviews, data.reviews);
      section.append(...documentBody(data.document));
      section.dataset.filled = "1";
    } catch (error) {
      section.append(el("p", { class: "error", text: error.message }));
    }
    applyFilters();
  };
  if (single) fill(); else section.addEventListener("toggle", fill);
  return section;
}

function documentBody(doc) {
  const parts = [];
  if (doc.suppressed.length) {
    parts.push(el("details", { class: "suppressed" },
      el("summary", { text: `已排除 ${doc.suppressed.length} 条（审核人标为误报，不计分）` }),
      el("ul", {}, ...doc.suppressed.map((f) => el("li", { "data-fingerprint": f.fingerprint },
        `${f.rule} ${f.project || ""} ${f.level3 || ""}：${f.message}`, reviewControls(f))))));
  }
  if (doc.document_findings.length) {
    parts.push(el("div", { class: "project" }, el("h3", { text: "整份文件" }),
      el("ol", { class: "findings" }, ...doc.document_findings.map((f) => renderFinding(f, doc)))));
  }
  for (const project of doc.projects) parts.push(renderProject(project, doc));
  return parts;
}

function renderProject(project, doc) {
  const score = project.score === null ? "" : `${project.score} 分 · ${project.grade}`;
  const box = el("details", { class: "project", open: project.findings.length > 0 },
    el("summary", {}, el("span", { class: "project-name", text: project.name }),
      el("span", { class: "score", text: score }), counts(project.counts)));
  if (project.findings.length) {
    box.append(el("ol", { class: "findings" }, ...project.findings.map((f) => renderFinding(f, doc))));
  } else {
    box.append(el("p", { class: "ok", text: "这张表没有发现问题。" }));
  }
  if (project.rows.length) box.append(renderTable(project));
  return box;
}

function renderFinding(f, doc) {
  const item = el("li", { class: `finding sev-${f.severity}`, "data-severity": f.severity, "data-kind": f.kind,
    "data-fingerprint": f.fingerprint });
  const where = [f.period, f.level2, f.level3].filter(Boolean).join(" / ");
  item.append(
    el("div", { class: "finding-head" },
      el("span", { class: `badge sev-${f.severity}`, text: f.severity }),
      el("span", { class: "rule", text: f.rule }),
      el("span", { class: "kind", text: f.kind_label }),
      where ? el("span", { class: "where", text: where + (f.value ? `：${f.value}` : "") }) : null),
    el("p", { class: "message", text: f.message }),
    f.suggestion ? el("p", { class: "suggestion" }, el("strong", { text: "修改建议：" }), f.suggestion) : null);
  for (const echo of f.echoes) item.append(el("p", { class: "echo", text: `另：${echo.rule} ${echo.message}` }));
  const explain = el("details", { class: "explain" }, el("summary", { text: "规则说明" }));
  explain.addEventListener("toggle", () => loadExplanation(explain, f.rule), { once: true });
  item.append(explain, reviewControls(f, doc));
  return item;
}

async function loadExplanation(box, code) {
  try {
    const r = await call("GET", `/api/rules/${encodeURIComponent(code)}`);
    box.append(el("p", { text: `${r.code} ${r.label}（${r.severity}，${r.scope}）` }));
    if (r.description) box.append(el("p", { text: r.description }));
    if (r.fail.length) box.append(el("p", { text: "不合格示例：" + r.fail.map((e) => e.text).join("；") }));
    if (r.pass.length) box.append(el("p", { text: "合格示例：" + r.pass.map((e) => e.text).join("；") }));
    box.append(el("p", { class: "basis", text: `依据：${r.basis}` }));
  } catch (error) {
    box.append(el("p", { class: "error", text: error.message }));
  }
}

function reviewControls(f, doc) {
  const saved = reviews[f.fingerprint] || { verdict: "", remark: "" };
  const verdict = el("select", { class: "verdict", title: "审核意见" },
    el("option", { value: "", text: "（未标注）" }), ...VERDICTS.map((v) => el("option", { value: v, text: v })));
  verdict.value = saved.verdict;
  const remark = el("input", { class: "remark", placeholder: "审核说明", value: saved.remark, maxLength: 2000 });
  const state = el("span", { class: "saved" });
  const save = el("button", { class: "save-review", text: "保存" });
  save.addEventListener("click", async () => {
    try {
      await call("POST", "/api/reviews", { fingerprint: f.fingerprint, verdict: verdict.value, remark: remark.value,
        file: f.location.file, rule: f.rule });
      reviews[f.fingerprint] = { verdict: verdict.value, remark: remark.value };
      state.textContent = verdict.value === "误报" ? "已保存：重新审核后不再计入" : "已保存";
    } catch (error) {
      state.textContent = error.message;
    }
  });
  return el("div", { class: "review" }, verdict, remark, save, state);
}

function renderTable(project) {
  const hasActual = project.rows.some((r) => r.actual);
  const header = el("tr", {}, ...["期间", "一级指标", "二级指标", "三级指标", "指标值", ...(hasActual ? ["实际完成值"] : []), "问题"]
    .map((t) => el("th", { text: t })));
  const body = project.rows.map((r) => {
    const row = el("tr", { class: r.severity ? `flagged sev-${r.severity}` : "", "data-severity": r.severity || "" },
      el("td", { text: r.period }), el("td", { text: r.level1 }),
      el("td", { text: r.level2 }), el("td", { text: r.level3 }), el("td", { class: "value", text: r.value }),
      ...(hasActual ? [el("td", { text: r.actual || "" })] : []),
      el("td", { class: "rules", text: r.rules.join(" ") }));
    if (r.fingerprints.length) {
      row.title = "点击查看这一行的问题";
      row.addEventListener("click", () => {
        const target = document.querySelector(`li[data-fingerprint="${r.fingerprints[0]}"]`);
        if (target) { target.scrollIntoView({ behavior: "smooth", block: "center" }); target.classList.add("pulse"); }
      });
    }
    return row;
  });
  return el("details", { class: "table", open: true }, el("summary", { text: "绩效指标表（标色的行有问题）" }),
    el("table", { class: "indicators" }, el("thead", {}, header), el("tbody", {}, ...body)));
}

function applyFilters() {
  const severities = new Set([...document.querySelectorAll(".sev-filter:checked")].map((c) => c.value));
  const kind = $("kind-filter").value;
  const wanted = (severity, k) => severities.has(severity) && (!kind || k === kind);
  for (const item of document.querySelectorAll("li.finding")) {
    item.hidden = !wanted(item.dataset.severity, item.dataset.kind);
  }
  let shown = 0;  // counted over every document, opened or not, as in the badges
  for (const summary of result ? result.documents : []) {
    for (const [k, , severity, n] of summary.tally) if (wanted(severity, k)) shown += n;
  }
  $("filter-count").textContent = `共 ${shown} 条问题符合筛选`;
}

for (const box of document.querySelectorAll(".sev-filter")) box.addEventListener("change", applyFilters);
$("kind-filter").addEventListener("change", applyFilters);
$("reviewer-mode").addEventListener("change", (e) => document.body.classList.toggle("reviewing", e.target.checked));

call("GET", "/api/limits").then((l) => {
  $("limits-hint").textContent = `每个文件不超过 ${l.max_file_mb} MB，一次合计不超过 ${l.max_job_mb} MB、${l.max_files} 个文件。`;
}).catch(() => {});
