"""Extract every performance-target table of a document into typed records.

The document is cut into blocks at table anchors (a 项目名称 row followed by the other header
fields, a 整体 table title, a 自评表 title, a bare 目标表 title); each block is read by its
builder. Rows found after a table's footer, under a title with no 项目名称, are reported as
fragments and never attached to the previous project.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..model import Document, Fragment, Project
from ..sources.base import Line, Source
from ..sources.text import clean_lines
from ..textnorm import normalise
from .columns import ColumnMap, role_of
from .fields import PROJECT_FIELDS, SECTION_HEADING, cells_of, field_cells, field_of, raw_cells
from .flat import find_flat_lists, flat_projects
from .grid import GridReader
from .narrative import find_budget_figures, find_declared, find_unit_year_kind, running_text
from .selfeval_cells import is_cell_table, read_cell_table
from .spaced import realign
from .stacked import restack
from .tables import OverallBuilder, ProjectBuilder, grid_like, is_title_line

__all__ = ["extract_lines", "extract_path", "extract_source", "extract_text"]

_SELF_EVAL = re.compile(r"自评表|自评\s*$")
_OVERALL_TITLE = re.compile(r"整体(支出)?绩效目标(申报)?表")


def extract_path(path: str | Path) -> Document:
    """Read and extract one document (text, xlsx, docx, pdf or html); raises InputError for unreadable files."""
    from ..sources import read_source

    return extract_source(read_source(Path(path)))


def extract_source(source: Source) -> Document:
    """Every table of a source: flat indicator lists by their columns, printed tables by their anchors;
    a workbook this tool wrote, from the record it carries (with the edits made in it)."""
    if source.record is not None:
        from .record import document_from_record

        return document_from_record(source)
    lines = list(source.lines)
    places = _places(lines)
    flats = find_flat_lists(lines)
    flat = [p for f in flats for p in flat_projects(f)]
    if not flat:
        doc = replace(extract_lines(lines, source.path), places=places)
    else:
        listed = {f.header_line for f in flats} | {ln.number for f in flats for ln in f.lines}
        doc = extract_lines([ln for ln in lines if ln.number not in listed], source.path)
        unit = doc.unit or next((re.sub(r"^\d+[-－—\s]*", "", p.department) for p in flat if p.department), None)
        doc = replace(doc, unit=unit, projects=(*doc.projects, *flat), places=places,
                      line_count=max(doc.line_count, lines[-1].number))
    if source.kind == "xlsx":
        doc = replace(doc, notes=(*doc.notes, *_sheets_without_tables(doc, lines)))
    return doc


def _sheets_without_tables(doc: Document, lines: Sequence[Line]) -> list[str]:
    """A note for every worksheet with content but no target table (a cover, a contents page)."""
    spans = [(t.line_start, t.line_end) for t in (*doc.projects, *doc.overall)]
    used = {ln.where for ln in lines if any(a <= ln.number <= b for a, b in spans)}
    sheets = dict.fromkeys(ln.where for ln in lines if ln.where and ln.text.strip())
    return [f"工作表“{name}”中没有绩效目标表，未读取" for name in sheets if name not in used]


def _places(lines: Sequence[Line]) -> tuple[tuple[int, str], ...]:
    """Runs of lines on one page or sheet, as (first line, place)."""
    runs: list[tuple[int, str]] = []
    for line in lines:
        if line.where and (not runs or runs[-1][1] != line.where):
            runs.append((line.number, line.where))
    return tuple(runs)


def extract_text(text: str, path: str = "<text>") -> Document:
    return extract_lines(clean_lines(text), path)


def extract_lines(lines: list[Line], path: str = "<text>") -> Document:
    """The extraction proper, from cleaned lines (tabs separate cells) whatever the file type was."""
    lines = realign(restack(lines))  # grids printed one cell per line or aligned with spaces
    unit, year, kind = find_unit_year_kind(lines)
    blocks = _blocks(lines)
    projects: list[Project] = []
    overall = []
    fragments: list[Fragment] = []
    self_eval = 0
    half_page = False  # a self-evaluation table not read by its cells: the half-page reader's (selfeval.py)
    previous: ProjectBuilder | None = None
    cell_tables = [kind == "project" and is_cell_table(block) for kind, block in blocks]  # 自评表 with kept cells
    for n, (block_kind, block) in enumerate(blocks):
        if block_kind == "selfeval":
            self_eval += 1
            previous = None
            half_page = half_page or n + 1 == len(blocks) or not cell_tables[n + 1]
            continue
        if cell_tables[n]:
            evaluated = read_cell_table(block)
            if evaluated is not None:
                if n == 0 or blocks[n - 1][0] != "selfeval":
                    self_eval += 1  # its title was not seen (a sheet or a page that starts at 项目名称)
                projects.append(evaluated)
                previous = None
                continue
        if block_kind == "overall":
            builder = OverallBuilder(block[0].number)
            for ln in block:
                if builder.done or builder.ends_at(ln):
                    break
                builder.feed(ln)
            overall.append(builder.build())
            previous = None
            continue
        if block_kind == "project":
            builder = ProjectBuilder(block[0].number)
            tail = _feed_until_done(builder, block)
            project = builder.build()
            if project is not None:
                projects.append(project)
            previous = builder if not builder.done else None
            fragment = _fragment(tail)
            if fragment:
                fragments.append(fragment)
            continue
        # a bare title or stray grid rows: continuation of an unfinished table, else a fragment
        if previous is not None and not previous.done and _continues(previous, block):
            tail = _feed_until_done(previous, block)
            rebuilt = previous.build()
            if rebuilt is not None and projects:
                projects[-1] = rebuilt
            fragment = _fragment(tail)
        else:
            fragment = _fragment(block)
        if fragment:
            fragments.append(fragment)
    if half_page:
        from .selfeval import find_tables

        projects.extend(find_tables(_uncovered(lines, projects)))
    if self_eval and not any(not p.self_evaluation for p in projects):
        kind = "final"
    if unit is None:
        unit = _unit_from_tables(projects, overall)
    unique, duplicates, repeats = _deduplicate(projects)
    stream = running_text(lines)
    return Document(
        path=path, unit=unit, year=year, kind=kind,  # type: ignore[arg-type]
        declared=find_declared(lines, stream), budget=find_budget_figures(lines, stream),
        overall=tuple(overall), projects=tuple(unique), fragments=tuple(fragments),
        duplicate_tables=tuple(duplicates), repeated_tables=tuple(repeats), self_evaluation_tables=self_eval,
        line_count=lines[-1].number if lines else 0,
    )


def _uncovered(lines: Sequence[Line], projects: Sequence[Project]) -> list[Line]:
    """The lines outside the self-evaluation tables already read by their cells (the half-page
    reader must not read them a second time)."""
    covered = {n for p in projects if p.self_evaluation for n in range(p.line_start, p.line_end + 1)}
    return [ln for ln in lines if ln.number not in covered]


def _is_project_anchor(lines: Sequence[Line], i: int) -> bool:
    cells = field_cells(lines[i].text, PROJECT_FIELDS)
    if not cells or field_of(cells[0], PROJECT_FIELDS) != "name":
        return False
    following = 0
    for ln in lines[i + 1: i + 8]:
        keys = {field_of(c, PROJECT_FIELDS) for c in field_cells(ln.text, PROJECT_FIELDS)}
        following += len(keys & {"department", "implementer", "attribute", "duration", "funds", "period_total",
                                 "annual_total"})
    if following >= 2:
        return True
    # a short header (项目名称, one more field) straight above its indicator grid
    return following == 1 and any(grid_like(cells_of(ln.text)) for ln in lines[i + 1: i + 12])


def _blocks(lines: Sequence[Line]) -> list[tuple[str, list[Line]]]:
    """Cut the document at anchors; text between tables (headings, prose) ends a block."""
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        text = line.text
        if "绩效" not in text and "项目名称" not in text and "项目名称" not in normalise(text[:12]):
            continue  # every anchor names 项目名称 or 绩效; most lines do neither
        k = normalise(text)
        if _is_project_anchor(lines, i):
            start = i
            for j in range(i - 1, max(-1, i - 5), -1):  # include the title printed above
                previous_key = normalise(lines[j].text)
                if is_title_line(lines[j].text) or not previous_key or re.match(r"^[(（]?\d{4}", previous_key):
                    if is_title_line(lines[j].text):
                        start = j
                    continue
                break
            if starts and starts[-1][0] >= start:
                starts.pop()
            starts.append((start, "project"))
        elif "\t" not in text and len(k) <= 60 and _SELF_EVAL.search(k) and "绩效" in k:
            starts.append((i, "selfeval"))
        elif is_title_line(text) and _OVERALL_TITLE.search(k):
            starts.append((i, "overall"))
        elif is_title_line(text):
            starts.append((i, "title"))
    blocks: list[tuple[str, list[Line]]] = []
    for n, (start, kind) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        blocks.append((kind, _block_lines(lines[start:stop])))
    return blocks


_GOAL_LINES = 12  # lines of a goal printed one paragraph a line ("一、…" "二、…") before its grid


def _block_lines(lines: Sequence[Line]) -> list[Line]:
    """A block's lines up to the narrative heading after its table. A goal cell printed on a line of
    its own may start like a heading ("一、根据……"): between a goal's label and the grid header
    (or _GOAL_LINES lines on) such a line is the goal, not a heading."""
    block: list[Line] = []
    goal_left = 0
    for ln in lines:
        text = ln.text.strip()
        if "\t" not in ln.text and text:
            if "目标" in text and field_of(cells_of(text)[0], PROJECT_FIELDS) in ("goal", "goal_labels"):
                goal_left = _GOAL_LINES  # 总体目标, or 总体目标  实施期目标 (space-aligned)
            elif goal_left and ("一级指标" in text or role_of(text)):
                goal_left = 0
            elif goal_left:
                goal_left -= 1
            elif len(block) > 2 and SECTION_HEADING.match(normalise(text)):
                break
        block.append(ln)
    return block


_OWN_HEADER = {"department", "implementer", "attribute", "duration", "funds", "period_total", "annual_total", "goal",
               "goal_labels"}


def _continues(previous: ProjectBuilder, block: Sequence[Line]) -> bool:
    """Does a headless block after a page break continue the unfinished table? Only when it has no
    header fields or goals of its own and its grid header, if it prints one, has the same columns."""
    for ln in block:
        cells = field_cells(ln.text, PROJECT_FIELDS)
        if any(field_of(c, PROJECT_FIELDS) in _OWN_HEADER for c in cells):
            return False
        if previous.grid is not None and previous.grid.columns is not None and grid_like(cells):
            columns = ColumnMap.from_header(raw_cells(ln.text))
            if columns is not None and _shape(columns) != _shape(previous.grid.columns):
                return False
    return True


def _shape(columns: ColumnMap) -> tuple[tuple[str, ...], ...]:
    """The roles of each column set, in order: what two grids must share to be one table."""
    roles = ("level1", "level2", "level3", "sign", "value", "unit", "weight", "remark")
    return tuple(tuple(r for r in roles if getattr(s, r) is not None) for s in columns.sets)


def _feed_until_done(builder: ProjectBuilder, block: Sequence[Line]) -> list[Line]:
    for n, ln in enumerate(block):
        if builder.done or builder.ends_at(ln):
            builder.done = True
            return list(block[n:])
        builder.feed(ln)
    return []


def _fragment(lines: Sequence[Line]) -> Fragment | None:
    """Indicator rows with no table header of their own."""
    grid: GridReader | None = None
    first = last = None
    for ln in lines:
        cells = cells_of(ln.text)
        if not cells or is_title_line(ln.text):
            continue
        if grid is None and not grid_like(cells):
            continue
        if grid is None:
            grid = GridReader(two_sets=True)
        if grid.feed(ln.number, raw_cells(ln.text)):
            first = first or ln.number
            last = ln.number
    if grid is None:
        return None
    left, _, _ = grid.result()
    if not left:
        return None
    return Fragment(line_start=first or 0, line_end=last or 0, indicators=tuple(left))


def _unit_from_tables(projects: Sequence[Project], overall) -> str | None:
    for department in [p.department for p in projects] + [o.department for o in overall]:
        if department:
            return re.sub(r"^\d+[-－—\s]*", "", department).strip() or None
    return None


def _signature(p: Project) -> tuple:
    return (normalise(p.name), p.funds.annual_total if p.funds else None,
            tuple((r.level2, normalise(r.level3), r.value.text) for r in p.indicators))


def _deduplicate(projects: Sequence[Project]) -> tuple[list[Project], list[tuple[str, int, int]], list[Project]]:
    """A table printed twice: the first printing is the table, the second a record of its own, reported."""
    seen: dict[tuple, Project] = {}
    unique: list[Project] = []
    duplicates: list[tuple[str, int, int]] = []
    repeats: list[Project] = []
    for p in projects:
        sig = _signature(p)
        if sig in seen and p.indicators:
            duplicates.append((p.name, seen[sig].line_start, p.line_start))
            repeats.append(p)
            continue
        seen.setdefault(sig, p)
        unique.append(p)
    return unique, duplicates, repeats
