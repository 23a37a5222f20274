"""数据管理页的列映射面板：上传的文件只读一次（会话里记住），选预设或上传映射文件（.mapping.toml），在一个表单里
为每个模板列选源列或填整列的值、为取值固定的列对照取值，点“应用映射并校验”后才校验一次（同一映射、同样的选项不再校验）。
应用过的映射可存为预设（记住这种表头，同样的导出再来时自动选上）、下载成命令行用的映射文件。

规则都在 chuangwen.imports.page_mapping（纯函数）；这里只放控件与会话里记住的东西。
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import streamlit as st

from chuangwen import imports
from chuangwen.escape import md
from chuangwen.imports import checks, page_mapping, readers
from chuangwen.imports import mapping as mapping_mod
from chuangwen.imports.kinds import CHOICES, DB_CHOICES, KINDS
from chuangwen.imports.mapping import Mapping
from chuangwen.ui import export, frame
from chuangwen.ui.frame import Viewer

NO_PRESET = "（不用预设）"
MAPPING_MIME = "application/toml"
MAPPING_LIMIT_MB = 1  # 映射文件只有几十行
CRS_LABELS = {"WGS84": "WGS84（GPS）", "CGCS2000": "CGCS2000", "GCJ02": "GCJ02（高德、腾讯）", "BD09": "BD09（百度）"}
APPLY = "应用映射并校验"


@dataclass
class Source:
    """上传的文件读成的表（只读一次）与它的表头样子。"""

    key: str
    file_name: str
    table: readers.Table
    signature: str

    @property
    def header_row(self) -> int:
        return page_mapping.header_row(self.table)


@dataclass
class Draft:
    """这个文件在页面上的映射：起点（预设、上传的映射文件或猜测）、应用过的映射（None 时不校验、不能导入）与说明。"""

    key: str
    gen: int  # 换了起点（选了预设、上传了映射文件）就加一：表单里的控件按新起点重新填好
    base: Mapping
    applied: Mapping | None
    preset: str  # 选着的预设（NO_PRESET 为不用）
    problems: list[str] = field(default_factory=list)  # 映射写不通的地方（有就不校验）
    notices: list[str] = field(default_factory=list)
    toml_sha: str | None = None


def source(path: str, raw: bytes, file_name: str, kind: str) -> Source:
    """上传的文件读成表：同一个文件（内容、名称、种类都相同）在这个会话里只读一次。读不了时抛 imports.ReadError。"""
    key = f"{hashlib.sha256(raw).hexdigest()}:{kind}:{file_name}"
    held = st.session_state.get("dm_source")
    if isinstance(held, Source) and held.key == key:
        return held
    hints = tuple(src for text in imports.presets(path, kind).values() for src in _sources_of(text, kind))
    table = page_mapping.read_source(raw, file_name, kind, hints)
    held = Source(key, file_name, table, imports.header_signature(table.columns))
    st.session_state["dm_source"] = held
    st.session_state.pop("dm_draft", None)
    return held


def _sources_of(text: str, kind: str) -> list[str]:
    try:
        return imports.parse_mapping(text, kind).source_headers()
    except imports.MappingError:
        return []


def _load(draft: Draft, kind: str, src: Source, base: Mapping, site_types: tuple[str, ...], what: str) -> None:
    """换一个起点：预设或映射文件与这个文件的表头对不上时不应用（要用户看过表单再点“应用”），写明缺哪几列。"""
    draft.gen += 1
    draft.problems, draft.notices = [], []
    missing = mapping_mod.missing_sources(base, src.table.columns)
    start = page_mapping.starting_mapping(kind, src.table.columns, base)
    draft.base = page_mapping.with_guesses(kind, start, page_mapping.value_rows(src.table, kind, start, site_types))
    if missing:
        shown = "、".join(f"“{s}”（{c}）" for c, s in missing.items())
        draft.problems = [
            f"{what}的表头与这个文件不同：文件里没有列 {shown}。这几列在下面的列映射里没有选上，"
            f"请看过后重新选择，再点“{APPLY}”。"
        ]
        draft.applied = None
    else:
        draft.applied = draft.base
        draft.notices = [f"已套用{what}。"]


def _draft(path: str, kind: str, src: Source, site_types: tuple[str, ...]) -> Draft:
    held = st.session_state.get("dm_draft")
    if isinstance(held, Draft) and held.key == src.key:
        return held
    remembered = imports.preset_for_layout(path, kind, src.signature)
    saved = imports.presets(path, kind)
    guessed = page_mapping.starting_mapping(kind, src.table.columns)
    draft = Draft(src.key, 0, guessed, None, NO_PRESET)
    if remembered in saved:
        draft.preset = remembered
        _load(
            draft,
            kind,
            src,
            imports.parse_mapping(saved[remembered], kind),
            site_types,
            f"预设“{remembered}”（它就是为这种表头存的）",
        )
    else:
        _load(draft, kind, src, guessed, site_types, "按列名猜出的对照")
        draft.notices = []
    st.session_state["dm_draft"] = draft
    return draft


def _presets_and_upload(path: str, kind: str, src: Source, draft: Draft, site_types: tuple[str, ...]) -> None:
    saved = imports.presets(path, kind)
    left, right = st.columns(2)
    options = [NO_PRESET, *saved]
    chosen = left.selectbox(
        "列映射预设",
        options,
        index=options.index(draft.preset) if draft.preset in options else 0,
        key=f"dm_preset_{src.key[:16]}",
        help="预设就是映射文件：存过的预设记住它是为哪种表头存的，同样的导出再来时自动选上。",
    )
    if chosen != draft.preset:
        draft.preset = chosen
        if chosen == NO_PRESET:
            _load(
                draft, kind, src, page_mapping.starting_mapping(kind, src.table.columns), site_types, "按列名猜出的对照"
            )
        else:
            try:
                preset = imports.parse_mapping(saved[chosen], kind, name=f"预设“{chosen}”")
            except imports.MappingError as exc:
                draft.problems, draft.applied = [str(exc)], None
            else:
                _load(draft, kind, src, preset, site_types, f"预设“{chosen}”")
    upload = frame.chinese_uploader(
        right,
        "或上传映射文件（.mapping.toml，与命令行 --mapping 同一格式）",
        ["toml"],
        key=f"dm_toml_{src.key[:16]}",
        limit_mb=MAPPING_LIMIT_MB,
    )
    if upload is None or isinstance(upload, list):
        return
    raw = upload.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    if digest == draft.toml_sha:
        return
    draft.toml_sha = digest
    what = f"映射文件“{upload.name}”"
    try:
        uploaded = imports.parse_mapping(raw.decode("utf-8-sig"), kind, name=what)
    except UnicodeDecodeError:
        draft.problems, draft.applied, draft.notices = [f"{what}应为 UTF-8 编码的文字文件。"], None, []
    except imports.MappingError as exc:
        draft.problems, draft.applied, draft.notices = str(exc).splitlines(), None, []
    else:
        _load(draft, kind, src, uploaded, site_types, what)


def _column_controls(kind: str, src: Source, draft: Draft, current: Mapping) -> tuple[dict, dict]:
    """每个模板列：源列，或整列填同一个值（都不选 = 不导入）。"""
    options = [page_mapping.NOT_MAPPED, *src.table.columns]
    sources: dict[str, str | None] = {}
    defaults: dict[str, str | None] = {}
    st.markdown(
        f"**每个模板列**：选文件里对应的列；文件里没有的列可以整列填同一个值；都不选就不导入（必填列必须有一样）。"
        f"文件第 {src.header_row} 行为表头，共 {len(src.table.columns)} 列。"
    )
    grid = itertools.cycle(st.columns(4))
    for col in KINDS[kind].columns:
        pick, fill = next(grid), next(grid)
        chosen = current.columns.get(col.name)
        sources[col.name] = pick.selectbox(
            col.name + ("（必填）" if col.required else ""),
            options,
            index=options.index(chosen) if chosen in options else 0,
            key=f"dm_src_{draft.gen}_{col.name}",
            help=col.help,
        )
        label = f"{col.name}·整列填同一个值"
        allowed = CHOICES.get(kind, {}).get(col.name)
        given = current.defaults.get(col.name)
        if allowed:
            fill_options: list[str | None] = [None, *allowed]
            defaults[col.name] = fill.selectbox(
                label,
                fill_options,
                index=fill_options.index(given) if given in fill_options else 0,
                format_func=lambda v: "（不填）" if v is None else v,
                key=f"dm_def_{draft.gen}_{col.name}",
            )
        else:
            defaults[col.name] = fill.text_input(label, value=given or "", key=f"dm_def_{draft.gen}_{col.name}")
    return sources, defaults


def _value_controls(
    kind: str, draft: Draft, current: Mapping, rows: dict[str, list[page_mapping.ValueRow]], site_types: tuple[str, ...]
) -> dict[str, dict[str, str | None]]:
    """取值固定的列：文件里的每种取值（与行数）对照到一个允许的取值，最可能的已预先选好。"""
    values: dict[str, dict[str, str | None]] = {}
    if not rows:
        return values
    st.markdown("**取值对照**：文件里的取值 → 允许的取值（已按最可能的预先选好；没把握的留空，请选）。")
    for column, items in rows.items():
        allowed = page_mapping.allowed_values(kind, column, site_types)
        note = ""
        if len(items) > page_mapping.MAX_VALUES_SHOWN:
            note = f"；取值太多，像是选错了源列，这里只列出行数最多的 {page_mapping.MAX_VALUES_SHOWN} 种"
        st.caption(md(f"{column}（源列“{current.columns[column]}”）：{len(items)} 种取值{note}"))
        grid = itertools.cycle(st.columns(3))
        tag = hashlib.sha256(current.columns[column].encode()).hexdigest()[:8]
        for r in items[: page_mapping.MAX_VALUES_SHOWN]:
            options = list(allowed)
            if column in DB_CHOICES.get(kind, {}) and r.value not in options:
                options.append(r.value)  # 库里没有的点位类型：照原样（勾选“自动新增”时新增）
            value_key = hashlib.sha256(r.value.encode()).hexdigest()[:12]
            values.setdefault(column, {})[r.value] = next(grid).selectbox(
                md(f"{column}：{r.value}（{r.rows:,} 行）"),
                options,
                index=options.index(r.target) if r.target in options else None,
                placeholder="请选择对照到哪个取值",
                key=f"dm_val_{draft.gen}_{column}_{tag}_{value_key}",
            )
    return values


def panel(
    path: str,
    kind: str,
    src: Source,
    con: duckdb.DuckDBPyConnection,
    viewer: Viewer,
    out: export.Exporter,
    done: Callable[[str, str], None],
) -> Mapping | None:
    """画列映射面板；返回应用过的映射（还没有、或映射写不通时为 None：不校验、不能导入）。done(说明, 图标) 报告存好了预设。"""
    site_types = page_mapping.site_types(con)
    draft = _draft(path, kind, src, site_types)
    _presets_and_upload(path, kind, src, draft, site_types)
    current = draft.applied or draft.base
    rows = page_mapping.value_rows(src.table, kind, current, site_types)
    incomplete = bool(page_mapping.missing_required(kind, current) or page_mapping.unmapped(rows))
    for notice in draft.notices:
        st.info(md(notice), icon=":material/bookmark:")
    with st.expander("列映射", expanded=draft.applied is None or incomplete or bool(draft.problems)):
        for problem in draft.problems:
            st.error(md(problem), icon=":material/error:")
        with st.form(f"dm_map_form_{draft.gen}", border=False):
            sources, defaults = _column_controls(kind, src, draft, current)
            f1, f2 = st.columns(2)
            date_format = f1.text_input(
                "日期格式（可选，strftime 写法，如 %m/%d/%Y %I:%M:%S %p；常见中文写法自动识别）",
                value=current.date_format or "",
                key=f"dm_datefmt_{draft.gen}",
            )
            crs = current.crs
            if "坐标系" in KINDS[kind].names:
                crs_options: list[str] = list(CRS_LABELS)
                named = mapping_mod.crs_name(crs) or "WGS84"
                crs = f2.selectbox(
                    "坐标系（文件里没写坐标系的行）",
                    crs_options,
                    index=crs_options.index(named) if named in crs_options else 0,
                    format_func=lambda c: CRS_LABELS[c],
                    key=f"dm_crs_{draft.gen}",
                )
            values = _value_controls(kind, draft, current, rows, site_types)
            applied = st.form_submit_button(APPLY, type="primary", icon=":material/rule:")
        if applied:
            built, problems = page_mapping.from_choices(
                kind, sources, defaults, values, shown=rows, base=current, date_format=date_format, crs=crs
            )
            draft.problems, draft.notices = problems, []
            if problems:
                draft.applied = None
            else:
                now = page_mapping.value_rows(src.table, kind, built, site_types)
                draft.applied = page_mapping.with_guesses(kind, built, now)
                draft.base = draft.applied
            st.rerun()  # 表单按应用后的映射重画（换了源列的列，取值对照随之更新），校验只做这一次
    if draft.applied is not None:
        _save_and_download(path, kind, src, draft, draft.applied, viewer, out, done)
    return draft.applied


def _save_and_download(
    path: str,
    kind: str,
    src: Source,
    draft: Draft,
    applied: Mapping,
    viewer: Viewer,
    out: export.Exporter,
    done: Callable[[str, str], None],
) -> None:
    s1, s2, s3 = st.columns([2, 1, 2], vertical_alignment="bottom")
    name = s1.text_input(
        "存为预设（名称）",
        value="" if draft.preset == NO_PRESET else draft.preset,
        max_chars=60,
        key=f"dm_preset_name_{draft.gen}",
        help="存的是现在应用着的映射，并记住这种表头：同样的导出再上传时自动选上它。同名的预设会被改写。",
    )
    if s2.button("保存预设", key="dm_save_preset", disabled=not name.strip(), icon=":material/bookmark_add:"):
        who = frame.require(viewer, "import")
        imports.save_preset(path, kind, name.strip(), applied, saved_by=who.name, header_signature=src.signature)
        draft.preset = name.strip()
        st.session_state.pop(f"dm_preset_{src.key[:16]}", None)  # 预设下拉框按新存的这个重画
        done(f"已保存预设“{md(name.strip())}”，并记住了这种表头。", ":material/bookmark:")
    with s3:
        stem = src.file_name.rsplit(".", 1)[0] or "列映射"
        out.download(
            "下载映射文件（.mapping.toml）",
            lambda: applied.to_toml().encode("utf-8"),
            file_name=f"{stem}.mapping.toml",
            key="dm_dl_mapping",
            mime=MAPPING_MIME,
            rows=len(applied.columns) + len(applied.defaults),
            icon=":material/download:",
        )


def validated(
    con: duckdb.DuckDBPyConnection,
    src: Source,
    kind: str,
    applied: Mapping,
    *,
    create_missing: bool,
    chosen: dict[str, str],
    snapshot_key: str,
) -> checks.Prepared:
    """按应用过的映射校验（只读）；同一文件、同一映射、同样的选项与数据版本只校验一次（页面上别的操作不再校验）。"""
    key = (src.key, applied.to_toml(), create_missing, tuple(sorted(chosen.items())), snapshot_key)
    held = st.session_state.get("dm_prep")
    if isinstance(held, tuple) and held[0] == key:
        return held[1]
    prep = imports.validate_table(
        con, src.table, kind, applied, create_missing=create_missing, chosen=chosen, place=imports.PAGE
    )
    st.session_state["dm_prep"] = (key, prep)
    return prep
