"""The Python API: extract, check and audit documents, and write their reports.

Every command of the CLI is built on these; so is any program that embeds the auditor:

    from auditor import api

    report = api.audit(["预算公开/"], api.Options(profile="shanxi"))
    for checked in report.documents:
        print(checked.document.unit, checked.score.score, checked.score.grade)
    api.write_reports(report, "审核结果/", per_unit=True)

`audit` runs the batch pipeline (killable worker processes with size, time and memory limits,
an optional cache); `check` runs the rules over documents already in memory; `results` is the
same pipeline as a stream, for batches too large to hold.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch import Engine, FileResult, Rendered, ReportSpec, Settings, default_jobs, run_batch, score
from .cache import ResultCache
from .cluster import ClusterError as ClusterError  # raised while a dask batch runs
from .errors import InputError
from .inputs import collect_inputs, display_path
from .model import Comparison, Document, Finding, Proposal, Review, SimilarGroup
from .report.letter import Letter
from .report.records import CheckedDocument

REPLAY_AHEAD = 32  # stored documents read and inflated ahead of their turn (≈ 0.3 MB each)

if TYPE_CHECKING:  # the rules and profiles load only when a command needs them
    from .check.across import SimilarIndex
    from .check.library import Library
    from .check.profile import Profile
    from .store import ResultStore


# fingerprint → what an earlier review wrote (a Review, or just its verdict: 确认/误报/待定)
Reviews = dict[str, Review] | dict[str, str]


class ConfigError(Exception):
    """A rule pack or profile that cannot be used (the message names the file and the problem)."""


class NoInputs(ConfigError):
    """The paths named no file at all."""


@dataclass(frozen=True, slots=True)
class Options:
    """What decides a run besides its inputs."""

    profile: str = "national"  # national, shanxi, or a profile YAML file
    select: str | None = None  # rule codes, globs (V0*) or finding kinds, comma-separated
    ignore: str | None = None
    rules: str | None = None  # a folder of the user's own rule packs
    max_size_mb: float = 50.0
    timeout_s: float = 120.0  # per file; its worker is killed past it (0: no limit)
    memory_mb: float = 2048.0  # per worker process (0: no cap)
    jobs: int | None = None  # worker processes (default: the CPU count)
    library: str | None = None  # an indicator library (`auditor library build`): suggestions cite similar projects
    engine: str = "local"  # local worker processes, or "dask" (a dask.distributed cluster)
    scheduler: str | None = None  # the dask scheduler's address (tcp://host:8786); None: a LocalCluster of `jobs`

    def settings(self, check: bool = True) -> Settings:
        return Settings(profile=self.profile, select=self.select, ignore=self.ignore, rules=self.rules,
                        max_size_mb=self.max_size_mb, timeout_s=self.timeout_s, memory_mb=self.memory_mb, check=check)


@dataclass(frozen=True, slots=True)
class Failure:
    path: str
    error: str


@dataclass
class Report:
    """One run's outcome: every document audited (with findings and scores), every file not."""

    profile: Profile
    documents: list[CheckedDocument] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    suppressed: int = 0  # findings a baseline marked 误报

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.documents for f in c.findings]


def load(options: Options) -> tuple[tuple[Any, ...], Profile]:
    """The rules (validated) and the profile an options set names; ConfigError when unusable."""
    from .check import RuleError, load_profile, load_rules, select_rules
    from .check.profile import ProfileError

    try:
        rules = select_rules(load_rules(options.rules), options.select, options.ignore)
    except RuleError as exc:
        raise ConfigError(f"规则包有误：{exc}") from None
    if not rules:
        raise ConfigError("--select/--ignore 之后没有剩下任何规则")
    try:
        profile = load_profile(options.profile)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from None
    if options.library:
        open_library(options.library).close()
    return tuple(rules), profile


def open_library(path: str | os.PathLike[str]) -> Library:
    """An indicator library to read; ConfigError (naming the file) when it cannot be used."""
    from .check.library import Library, LibraryError

    try:
        return Library(path)
    except LibraryError as exc:
        raise ConfigError(str(exc)) from None


def build_library(paths: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str],
                  options: Options | None = None, failures: list[Failure] | None = None) -> dict[str, int]:
    """`auditor library build`: every indicator of every document under `paths` (its 二级, value kind, unit
    and value, whether the rules flag it, its project's name and goal) into an SQLite library; the counts.
    Files that cannot be read go to `failures` (else the first raises InputError)."""
    from .check.library import build

    options = options or Options()
    report = audit(paths, options)
    skipped = list(report.failures)
    if skipped and failures is None:
        raise InputError(skipped[0].path, skipped[0].error)
    if failures is not None:
        failures.extend(skipped)
    return build(((c.document, c.findings) for c in report.documents), Path(output))


def gather(paths: Iterable[str | os.PathLike[str]], outputs: Iterable[Path] = ()) -> tuple[list[str], list[Failure]]:
    """The files to process, and a failure for every file found but not to be read (with why)."""
    inputs, skipped = collect_inputs(paths, outputs)
    return inputs, [Failure(display_path(s.path), s.reason) for s in skipped]


def extract(paths: Iterable[str | os.PathLike[str]], options: Options | None = None,
            failures: list[Failure] | None = None) -> list[Document]:
    """Every document's tables, through the batch's limits. Files that cannot be read are appended
    to `failures` when given; otherwise the first one raises InputError."""
    options = options or Options()
    inputs, skipped = gather(paths)
    documents = []
    for result in _run(inputs, options.settings(check=False), options.jobs):
        if result.document is not None:
            documents.append(result.document)
        else:
            skipped.append(Failure(result.path, result.error or "未知错误"))
    if skipped and failures is None:
        raise InputError(skipped[0].path, skipped[0].error)
    if failures is not None:
        failures.extend(skipped)
    return documents


def check(documents: Iterable[Document], options: Options | None = None,
          reviews: Reviews | None = None) -> Report:
    """Run the rules over documents already extracted (in this process) and score them."""
    from .check import check_document

    options = options or Options()
    rules, profile = load(options)
    report = Report(profile)
    false_positives = _false_positives(reviews)
    library = open_library(options.library) if options.library else None
    for doc in documents:
        findings = check_document(doc, rules, profile)
        if library is not None:
            findings = _with_examples(findings, doc, library)
        checked, suppressed = score(doc, findings, profile, false_positives)
        report.documents.append(checked)
        report.suppressed += suppressed
    return report


def results(inputs: Sequence[str], options: Options, cache: ResultCache | None = None,
            keys: Sequence[str | None] | None = None, reviews: Reviews | None = None,
            on_file: Callable[[], None] | None = None,
            report: ReportSpec | None = None) -> Iterator[tuple[CheckedDocument, int] | Rendered | Failure]:
    """The batch as a stream, in input order: each file audited and scored (with the findings a
    baseline suppressed), or its failure. Scoring a file is inside its isolation too. `report`: a
    file read now comes as what its worker rendered of its reports (Rendered) instead."""
    _, profile = load(options)
    false_positives = _false_positives(reviews)
    library = open_library(options.library) if options.library else None
    for result in _run(inputs, options.settings(), options.jobs, cache, keys, _engine(options),
                       None if library is not None else report):
        if on_file is not None:
            on_file()
        if result.rendered is not None:
            yield result.rendered
            continue
        if result.document is None:
            yield Failure(result.path, result.error or "未知错误")
            continue
        try:
            findings = result.findings
            if library is not None:
                findings = _with_examples(findings, result.document, library)
            yield score(result.document, findings, profile, false_positives, result.cached)
        except Exception as exc:
            yield Failure(result.path, f"评分时出错（{type(exc).__name__}: {exc}），请把此文件报告给开发者")


def audit(paths: Iterable[str | os.PathLike[str]], options: Options | None = None,
          cache: ResultCache | None = None, reviews: Reviews | None = None) -> Report:
    """Extract, check and score every file (parallel, isolated, optionally cached)."""
    options = options or Options()
    _, profile = load(options)
    inputs, failures = gather(paths)
    report = Report(profile, failures=failures)
    for item in results(inputs, options, cache, reviews=reviews):
        if isinstance(item, Failure):
            report.failures.append(item)
        else:
            report.documents.append(item[0])
            report.suppressed += item[1]
    return report


def write_reports(report: Report, outdir: str | os.PathLike[str], per_unit: bool = False,
                  reviews: Reviews | None = None, letter: Letter | None = None) -> list[Path]:
    """审核汇总.xlsx, 审核结果.json and (per_unit) one workbook per unit, from a Report."""
    from .report.writers import ReportWriters

    writers = ReportWriters(Path(outdir), report.profile.name, per_unit, _as_reviews(reviews),
                            report.profile.explain_scores(), letter)
    for failure in report.failures:
        writers.fail(failure.path, failure.error)
    for checked in report.documents:
        writers.add(checked)
    return writers.close(report.suppressed)


def _with_examples(findings: Sequence[Finding], doc: Document, library: Library) -> list[Finding]:
    from .check.library import with_examples

    return with_examples(list(findings), doc, library)


def _as_reviews(reviews: Reviews | None) -> dict[str, Review]:
    """Reviews as records; a plain fingerprint → verdict mapping is accepted too."""
    return {fp: Review(verdict=r) if isinstance(r, str) else r for fp, r in (reviews or {}).items()}


def _false_positives(reviews: Reviews | None) -> frozenset[str]:
    return frozenset(fp for fp, r in _as_reviews(reviews).items() if r.verdict == "误报")


def _engine(options: Options) -> Engine | None:
    return Engine("dask", options.scheduler) if options.engine == "dask" else None


def _run(inputs: Sequence[str], settings: Settings, jobs: int | None, cache: ResultCache | None = None,
         keys: Sequence[str | None] | None = None, engine: Engine | None = None,
         report: ReportSpec | None = None) -> Iterator[FileResult]:
    return run_batch(inputs, settings, jobs or min(default_jobs(), max(1, len(inputs))), cache, keys=keys,
                     engine=engine, report=report)


@dataclass
class Across:
    """What comparing documents found: a unit against its earlier year (年度对比), and projects that
    different units filled in alike (相似填报). Not scored."""

    comparisons: list[Comparison] = field(default_factory=list)
    groups: list[SimilarGroup] = field(default_factory=list)
    pairs: int = 0  # (earlier, later) document pairs compared
    sides: tuple[int, int] = (0, 0)  # documents read on each side (`compare`)

    @property
    def findings(self) -> list[Finding]:
        return [c.finding for c in self.comparisons] + [g.finding for g in self.groups]


def across(documents: Sequence[Document], options: Options | None = None) -> Across:
    """The comparisons inside one batch: each unit's documents against its latest earlier year held in
    the batch, and similar projects between units."""
    from .check.across import compare_years, similar_groups, year_pairs

    rules, profile = load(options or Options())
    pairs = year_pairs(documents)
    return Across(compare_years(documents, rules, profile, pairs), similar_groups(documents, rules, profile),
                  len(pairs))


class StoredComparisons:
    """The batch's 年度对比 read from the results store as they are written: units with several years in
    turn (in the order of their first file), each unit's documents decoded by themselves and let go, so
    the driver never holds every comparison. Each unit's findings in the reports' order."""

    def __init__(self, store: ResultStore, rules: Sequence[Any], profile: Profile) -> None:
        self.store, self.rules, self.profile = store, rules, profile
        self.units = store.units_with_years()
        self.count = 0  # comparisons yielded so far

    @property
    def any_pairs(self) -> bool:
        """Whether some unit has an earlier year here (then the 年度对比 sheet is written, even empty)."""
        return bool(self.units)

    def __iter__(self) -> Iterator[Comparison]:
        from .check.across import compare_years, year_pairs

        for unit in self.units:
            docs = list(self.store.documents(unit))
            for comparison in compare_years(docs, self.rules, self.profile, year_pairs(docs)):
                self.count += 1
                yield comparison


def compare(old: Iterable[str | os.PathLike[str]], new: Iterable[str | os.PathLike[str]],
            options: Options | None = None, failures: list[Failure] | None = None) -> Across:
    """`auditor compare OLD NEW`: the new documents against the old (files or folders; units matched by
    name, one file on each side compared whatever the names), and similar projects among the new.
    Files that cannot be read go to `failures` (else the first raises InputError)."""
    from .check.across import compare_years, side_pairs, similar_groups

    options = options or Options()
    rules, profile = load(options)
    old_docs, new_docs = extract(old, options, failures), extract(new, options, failures)
    pairs = side_pairs(old_docs, new_docs)
    return Across(compare_years([], rules, profile, pairs), similar_groups(new_docs, rules, profile), len(pairs),
                  (len(old_docs), len(new_docs)))


@dataclass
class Fixed:
    """What `fix` proposed for one document, the findings those proposals answer and those left."""

    document: Document
    proposals: list[Proposal]
    answered: list[Finding]
    left: list[Finding]
    output: Path


def fix(path: str | os.PathLike[str], output: str | os.PathLike[str], options: Options | None = None) -> Fixed:
    """`auditor fix`: the document's tables in the fill-in template's layout with every flagged value
    replaced by a proposal (the original beside it, each to be confirmed), written to `output`.
    InputError when the file cannot be read."""
    from .check.proposals import propose
    from .report.fixes import answered, write_fix_workbook

    options = options or Options()
    report = audit([path], options)
    if report.failures:
        raise InputError(report.failures[0].path, report.failures[0].error)
    if not report.documents:
        raise InputError(str(path), "没有可以读取的文件")
    checked = report.documents[0]
    library = open_library(options.library) if options.library else None
    proposals = propose(checked.document, checked.findings, report.profile, library)
    done, left = answered(checked.findings, proposals)
    write_fix_workbook(Path(output), checked.document, proposals, left)
    return Fixed(checked.document, proposals, done, left, Path(output))


BaselinePaths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None


@dataclass
class FolderAudit:
    """What `audit_to` did: files audited and failed, findings a baseline suppressed, files written."""

    done: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)  # this run's (empty when up_to_date)
    suppressed: int = 0
    cached: int = 0  # documents whose results came from the cache (unchanged since an earlier run)
    written: list[Path] = field(default_factory=list)
    up_to_date: bool = False  # nothing had changed: the reports already in the folder were kept
    comparisons: int = 0  # 年度对比 findings (a unit against its earlier year in the batch)
    groups: int = 0  # 相似填报 groups (projects of different units filled in alike)
    units_kept: int = 0  # units' workbooks left as an earlier run wrote them (their content unchanged)
    resumed: int = 0  # documents an earlier, unfinished run of this batch had already stored (not read again)
    parts: int = 1  # workbooks the summary's rows are in (then 审核汇总_第2部分.xlsx… past the row limit)


def audit_to(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str], options: Options | None = None,
             per_unit: bool = False, baseline: BaselinePaths = None, cache: ResultCache | None = None,
             letter: Letter | None = None, on_total: Callable[[int], None] | None = None,
             on_file: Callable[[], None] | None = None,
             on_failure: Callable[[Failure], None] | None = None, reviews: Reviews | None = None,
             on_document: Callable[[CheckedDocument], None] | None = None, resume: bool = True) -> FolderAudit:
    """The batch audit into a folder, streamed: 审核汇总.xlsx, 审核结果.json (and .jsonl) and (per_unit) one
    workbook per unit, written as files arrive. The run's own outputs are never read as inputs; a killed run's
    temporaries are removed; with a cache, a run whose inputs, rules and options are all unchanged keeps
    the reports already there. `baseline`: earlier workbooks (审核汇总.xlsx, units' workbooks with their
    整改情况, or folders of them) whose reviews are carried over and whose 误报 findings are set aside
    (InputError when one cannot be read); `reviews`: verdicts kept elsewhere (the web page's store), over
    the baseline's; `letter`: the office, date and deadline the units' workbooks name; `on_document`: each
    document as its reports are written; `resume`: documents the folder's results store (审核结果.sqlite)
    already holds for these inputs and settings are not read again (False: every file read afresh).
    NoInputs when the paths hold no file at all."""
    from . import manifest
    from .baseline import baseline_files, read_reviews
    from .batch import file_key
    from .check.across import SimilarIndex
    from .check.matching import name_key
    from .output import remove_stale_temporaries
    from .pool import read_ahead
    from .report.excel import part_paths
    from .report.writers import JSON_LINES, JSON_REPORT, SUMMARY, UNITS_FOLDER, ReportWriters, UnitSpec
    from .store import NAME as STORE
    from .store import ResultStore, deflated

    options = options or Options()
    rules, profile = load(options)
    baselines = [] if baseline is None else [baseline] if isinstance(baseline, (str, os.PathLike)) else list(baseline)
    known = read_reviews(baselines)
    known.update(_as_reviews(reviews))
    out = Path(outdir)
    inputs, skipped = gather(paths, [out / SUMMARY, out / JSON_REPORT, out / JSON_LINES, out / UNITS_FOLDER,
                                     out / manifest.NAME, out / STORE, *part_paths(out / SUMMARY)])
    if not inputs and not skipped:
        from .inputs import no_inputs_message

        raise NoInputs(no_inputs_message())
    outcome = FolderAudit(failures=list(skipped))
    for failure in skipped:
        if on_failure is not None:
            on_failure(failure)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out, out / UNITS_FOLDER)
    keys = [file_key(p) for p in inputs]
    shown = [display_path(p) for p in inputs]  # the names reports and the store give the files
    state = {"settings": options.settings().digest(),
             "baseline": manifest.baseline_digest([str(p) for p in baseline_files(baselines)]),
             "reviews": sorted([fp, r.verdict, r.remark, r.reply] for fp, r in _as_reviews(reviews).items()),
             "letter": [letter.office, letter.dated(), letter.deadline] if letter else None,
             "library": manifest.baseline_digest([options.library]) if options.library else None,
             "per_unit": per_unit, "inputs": [[s, k] for s, k in zip(shown, keys, strict=True)],
             "skipped": [[f.path, f.error] for f in skipped]}
    previous = manifest.up_to_date(out, state) if cache is not None else None
    if previous is not None:
        summary = previous["summary"]
        return FolderAudit(done=summary["done"], failed=summary["failed"], suppressed=summary["suppressed"],
                           up_to_date=True)
    if on_total is not None:
        on_total(len(inputs))
    writers = ReportWriters(out, profile.name, per_unit, known, profile.explain_scores(), letter,
                            manifest.previous_units(out, UNITS_FOLDER) if per_unit else None)
    for failure in skipped:
        writers.fail(failure.path, failure.error)
    store = ResultStore(out / STORE, cache)
    similar = SimilarIndex(profile)
    made_under = _reports_digest(state)
    replays: Iterator[tuple[bytes, str | None] | None] | None = None
    try:
        store.begin(options.settings().digest(), shown, fresh=not resume)
        outcome.resumed = store.finished()
        replayable = set()  # documents whose reports an earlier run made from the same content, reviews and options
        if resume and on_document is None:
            replayable = store.replayable({s: f"{k}:{made_under}" for s, k in zip(shown, keys, strict=True) if k})
        todo = [i for i, s in enumerate(shown) if s not in replayable]
        # the unchanged documents' stored reports, read and inflated by a thread ahead of their turn
        replays = read_ahead(store.rendered_in_turn([(s, f"{keys[i]}:{made_under}") for i, s in enumerate(shown)
                                                     if s in replayable]), REPLAY_AHEAD)
        # files read now are scored and rendered in their workers, each unit's workbook too (this process only
        # places them), unless it needs them whole: a caller's on_document, a library's examples, or units'
        # workbooks on a cluster (its workers do not share this machine's folders)
        units = UnitSpec(str(out / UNITS_FOLDER), profile.explain_scores(), letter or Letter()) if per_unit else None
        in_workers = (None if on_document is not None or (per_unit and options.engine != "local")
                      else ReportSpec(made_under, known, _false_positives(known), units))
        computed = results([inputs[i] for i in todo], options, store, [keys[i] for i in todo], known,
                           on_file=on_file, report=in_workers)
        for index in range(len(inputs)):
            if shown[index] in replayable:
                replayed = _replay(writers, next(replays), similar, shown[index])
                if replayed is not None:
                    outcome.done += 1
                    outcome.cached += 1
                    outcome.suppressed += replayed
                    if on_file is not None:
                        on_file()
                    continue
                # its unit's workbook must be written again: the document is decoded from the store
                item = next(results([inputs[index]], options, store, [keys[index]], known, on_file=on_file))
            else:
                item = next(computed)
            if isinstance(item, Rendered):
                try:
                    _place(writers, store, similar, item, shown[index], keys[index], made_under)
                except (OSError, ValueError) as exc:  # its unit's workbook could not be named: its own failure
                    item = Failure(shown[index], f"生成报告时出错（{type(exc).__name__}: {exc}），"
                                                 "请把此文件报告给开发者")
                else:
                    outcome.done += 1
                    outcome.suppressed += item.suppressed
                    continue
            if isinstance(item, Failure):
                failure = item
                writers.fail(item.path, item.error)
            else:
                error = writers.add(item[0])  # its own reports are inside the file's isolation too
                if error is None:
                    doc = item[0].document
                    entry = similar.entry(doc)
                    if entry is not None:
                        similar.add_entry(entry, shown[index])
                    fragment = writers.fragment
                    store.document_done(shown[index], keys[index], name_key(doc.unit) if doc.unit else None,
                                        doc.year, None if fragment is None or keys[index] is None else
                                        (f"{keys[index]}:{made_under}", deflated(fragment.as_bytes()),
                                         None if entry is None else json.dumps(entry, ensure_ascii=False)))
                    if on_document is not None:
                        on_document(item[0])
                    outcome.done += 1
                    outcome.cached += item[0].cached
                    outcome.suppressed += item[1]
                    continue
                failure = Failure(item[0].document.path, error)
            store.failed(shown[index], failure.error)
            outcome.failures.append(failure)
            if on_failure is not None:
                on_failure(failure)
        comparisons = StoredComparisons(store, rules, profile)
        groups = similar.groups(rules)
        outcome.written = writers.close(outcome.suppressed, comparisons if comparisons.any_pairs else None,
                                        groups if len(similar.units) > 1 else None)
        outcome.comparisons, outcome.groups = comparisons.count, len(groups)
        outcome.failed = len(outcome.failures)
        outcome.units_kept = writers.units.kept if writers.units else 0
        outcome.parts = len(writers.summary.parts)
    except BaseException as exc:
        writers.abort(exc)
        raise
    finally:
        if replays is not None:
            replays.close()  # before the store: its thread reads the same file
        store.close()
    if cache is not None:
        manifest.save(out, state, outcome.written,
                      {"done": outcome.done, "failed": len(outcome.failures), "suppressed": outcome.suppressed},
                      writers.units.keys if writers.units else None)
    return outcome


def stored_documents(outdir: str | os.PathLike[str], options: Options | None = None,
                     reviews: Reviews | None = None) -> Iterator[tuple[str, CheckedDocument | None]]:
    """The documents `audit_to` last wrote into `outdir`, read back one at a time from its results store
    (审核结果.sqlite) and scored as its reports score them (`reviews`' 误报 set aside): each file's name,
    with None when its record cannot be read. The web page is drawn from these, so the batch itself
    runs as any other (rendered in its workers, nothing held for the page)."""
    from .batch import decode_record
    from .store import NAME as STORE
    from .store import ResultStore

    options = options or Options()
    _, profile = load(options)
    path = Path(outdir) / STORE
    if not path.is_file():
        return
    false_positives = _false_positives(reviews)
    store = ResultStore(path)
    try:
        for name, text in store.records():
            result = None if text is None else decode_record(name, text)
            if result is None or result.document is None:
                yield name, None
                continue
            checked, _ = score(result.document, result.findings, profile, false_positives, cached=True)
            yield name, checked
    finally:
        store.close()


def _place(writers: Any, store: ResultStore, similar: SimilarIndex, item: Rendered, path: str,
           key: str | None, made_under: str) -> None:
    """A document its worker scored and rendered: placed in the reports like a stored one, and stored
    for a later run to replay (unless its content could not be hashed: no `key`)."""
    from .report.writers import Fragment

    writers.place(Fragment.from_bytes(item.fragment), item.unit_workbook)
    if item.similar is not None:
        similar.add_entry(json.loads(item.similar), path)
    store.document_done(path, key, item.unit, item.year,
                        None if key is None else (f"{key}:{made_under}", item.stored, item.similar))


def _reports_digest(state: dict[str, Any]) -> str:
    """Everything a document's reports depend on besides its own content: settings, reviews and
    baselines, letter, library, per-unit workbooks, and the code that lays the reports out."""
    import hashlib

    from .report.writers import layout_digest

    shared = {k: v for k, v in state.items() if k not in ("inputs", "skipped")}
    text = json.dumps([shared, layout_digest()], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _replay(writers: Any, stored: tuple[bytes, str | None] | None, similar: SimilarIndex, path: str) -> int | None:
    """An unchanged document's reports as an earlier run made them (`stored`: rows, JSON entry, unit
    workbook kept, its projects in the similar index); the findings it set aside, or None when it
    cannot be replayed (then nothing of it was written)."""
    from .report.writers import Fragment

    if stored is None:
        return None
    try:
        fragment = Fragment.from_bytes(stored[0])
    except ValueError:  # not what this version stores: the document is read again
        return None
    if not writers.replay(fragment):
        return None
    if stored[1] is not None:
        similar.add_entry(json.loads(stored[1]), path)
    return len(fragment.rows.excluded)
