"""各种导入共用的校验部件：报告的级别与列、逐行问题收集（Checker）、参考表与 --create-missing（Refs）、
按映射取列、文本与日期列、必填与取值检查。各种导入的逐行规则在 validate（问题、事件、单位、点位）与 assessment
（测评体系、成绩、扣分）里，只从这里取共用的部分，彼此不互相导入。
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from chuangwen import geo, settings
from chuangwen.imports import readers
from chuangwen.imports.kinds import CRS_NAMES, KINDS
from chuangwen.imports.mapping import Mapping

ERROR, NOTE = "错误", "提示"
REPORT_COLUMNS = ["级别", "文件", "工作表", "行", "列", "值", "原因"]
# 一格里写几个名称（配合单位、点位类型）时的分隔符：办公室用的顿号、逗号、分号和换行。
# 不含“/”：单位全称里常有（“交通运输局/公路事业发展中心”是一个单位），按它拆会造出半截单位
NAME_SEPARATORS = re.compile(r"[、，,；;\r\n]+")


def split_names(text: str | None) -> list[str]:
    """一格里的几个名称，去掉首尾空白与空项；None 为空列表。"""
    return [p.strip() for p in NAME_SEPARATORS.split(text) if p.strip()] if text else []


@dataclass(frozen=True)
class Place:
    """用户在哪里导入：报告里的建议只指向那里有的东西——命令行是参数与映射文件（TOML），数据管理页是页面上的控件。"""

    name: str
    create: str  # 怎样让库里没有的名称自动新增（一句）
    switch: str  # 同上，只是开关本身（接在“或”后面）
    created: str  # 报告里新增项的原因
    partial: str  # 怎样只导入通过校验的行
    missing_column: str  # 缺了必填列怎么补
    value_map: str  # 取值不在允许范围内怎么对照；{column} 换成列名
    rename: str  # 名称与库里对不上怎么办
    default_value: str  # 怎样给整列一个值；{column}、{example}
    date_format: str  # 指定的日期格式从哪来


CLI = Place(
    name="命令行",
    create="首次导入可加 --create-missing 自动新增",
    switch="加 --create-missing",
    created="按 --create-missing 新增",
    partial="加 --partial 只导入通过校验的行",
    missing_column="请在文件中加上这一列，或用映射文件（--mapping）的 [columns] 指明对应的源列、[defaults] 给整列一个值",
    value_map="可在映射文件 [values.{column}] 中对照到允许的取值",
    rename="或在映射文件 [values] 中对照到已有名称",
    default_value='在映射文件 [defaults] 写 {column} = "{example}" 这样的整列默认值',
    date_format="映射文件指定的格式",
)
PAGE = Place(
    name="数据管理页",
    create="首次导入可勾选“自动新增库中没有的单位、镇街、类别”",
    switch="勾选“自动新增库中没有的单位、镇街、类别”",
    created="按“自动新增库中没有的单位、镇街、类别”新增",
    partial="勾选“只导入通过校验的行”",
    missing_column="请在上面“列映射”里为它选一个源列，或填一个整列的值，再点“应用映射并校验”",
    value_map="可在上面“取值对照”里把它对照到允许的取值",
    rename="或在文件里改成库中已有的名称后重新上传",
    default_value="在“列映射”里给“{column}”填一个整列的值（如 {example}）",
    date_format="“列映射”里填的日期格式",
)


@dataclass
class Prepared:
    kind: str
    table: readers.Table
    rows_total: int
    issues: list[dict] = field(default_factory=list)
    rejected: np.ndarray | None = None  # 源表中被拒的行（布尔）
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # 表名 → 要插入的行
    created: dict[str, pd.DataFrame] = field(default_factory=dict)  # 表名 → --create-missing 新增的参考行
    skipped: int = 0  # 与库中完全相同、跳过的行

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i["级别"] == ERROR)

    def report(self) -> pd.DataFrame:
        return pd.DataFrame(self.issues, columns=REPORT_COLUMNS)

    def rejects(self) -> pd.DataFrame:
        """被拒的源行（原样），加一列“拒绝原因”，便于改好后重新导入。"""
        if self.rejected is None or not self.rejected.any():
            return pd.DataFrame(columns=[*self.table.columns, "拒绝原因"])
        rows = self.table.data[self.rejected].copy()
        nums = readers.row_numbers(self.table)[self.rejected]
        reasons: dict[int, list[str]] = {}
        for i in self.issues:
            if i["级别"] == ERROR and isinstance(i["行"], (int, np.integer)):
                reasons.setdefault(int(i["行"]), []).append(f"{i['列']}：{i['原因']}")
        rows.insert(0, "行", nums)
        rows["拒绝原因"] = ["；".join(reasons.get(int(n), [])) for n in nums]
        return rows


class Checker:
    """收集逐行问题；bad 标记被拒的行。"""

    def __init__(
        self, table: readers.Table, n: int, raw: dict[str, pd.Series] | None = None, place: Place = CLI
    ) -> None:
        self.table, self.rownum = table, readers.row_numbers(table)
        self.place = place
        self.bad = np.zeros(n, dtype=bool)
        self.issues: list[dict] = []
        self.raw = {k: v.reset_index(drop=True) for k, v in (raw or {}).items()}  # 模板列 → 原始单元格

    def shown(self, column: str, i: int, parsed: object) -> str:
        """报告里的“值”：用户填的原文；解析出的值与原文不同（如“2021年12月31日”→ 2021-12-31）时一并写出。"""
        text = (
            ""
            if parsed is None or (isinstance(parsed, float) and np.isnan(parsed)) or str(parsed) in ("NaT", "nan")
            else str(parsed)
        )
        raw = self.raw.get(column)
        original = readers.cell_text(raw.iat[i]) if raw is not None and i < len(raw) else None
        if not original:
            return text
        if not text or text == original or _same_numeric(original, text):
            return original
        return f"{original}（解析为 {text}）"

    def flag(
        self,
        mask: npt.ArrayLike,
        column: str,
        values: object,
        reason: str | Callable[[Any], str],
        level: str = ERROR,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        vals = None if values is None or np.isscalar(values) else np.asarray(values, dtype=object)
        for i in idx:
            v = values if vals is None else vals[i]
            plain = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            self.issues.append(
                {
                    "级别": level,
                    "文件": self.table.file_name,
                    "工作表": self.table.sheet,
                    "行": int(self.rownum[i]),
                    # 整列的值（每行一个）对得上原始单元格时写原文；单个值（如拆开的配合单位名称）照原样
                    "列": column,
                    "值": plain if vals is None else self.shown(column, int(i), v),
                    "原因": reason(v) if callable(reason) else reason,
                }
            )
        if level == ERROR:
            self.bad[idx] = True


def _same_numeric(a: str, b: str) -> bool:
    """“999”与“999.0”是同一个数：只写原文。"""
    try:
        return float(a.replace(",", "")) == float(b)
    except ValueError:
        return False


def lookup(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()


def source_columns(
    table: readers.Table, mapping: Mapping, kind: str, place: Place = CLI
) -> tuple[dict[str, pd.Series], list[dict]]:
    """按映射取出模板列（原始单元格）；映射指向的源列不存在时记为文件级错误，建议按用户所在的地方（place）写。"""
    n, out, problems = len(table.data), {}, []
    headers = {readers._clean_header(c): c for c in table.columns}
    for col in KINDS[kind].names:
        src = mapping.columns.get(col)
        if src is not None and readers._clean_header(src) in headers:
            out[col] = table.data[headers[readers._clean_header(src)]]
        elif col in mapping.defaults:
            out[col] = pd.Series([mapping.defaults[col]] * n, dtype=object)
        elif src is not None and src != col:  # 同名（没有映射时）找不到的按“缺少必填列”说，不说“映射的源列”
            problems.append(
                {
                    "级别": ERROR,
                    "文件": table.file_name,
                    "工作表": table.sheet,
                    "行": "表头",
                    "列": col,
                    "值": src,
                    "原因": f"文件中没有列“{src}”（映射到模板列“{col}”）："
                    + (
                        "映射是为别的表头写的，或导出的格式变了；请在上面“列映射”里重新为它选源列"
                        if place is PAGE
                        else "请核对映射文件 [columns] 里的源列名与文件表头"
                    ),
                }
            )
    missing_required = [c for c in KINDS[kind].required if c not in out]
    for c in missing_required:
        if not any(p["列"] == c for p in problems):
            problems.append(
                {
                    "级别": ERROR,
                    "文件": table.file_name,
                    "工作表": table.sheet,
                    "行": "表头",
                    "列": c,
                    "值": "",
                    "原因": f"缺少必填列；{place.missing_column}",
                }
            )
    return out, problems


def texts(cols: dict[str, pd.Series], name: str, n: int, mapping: Mapping) -> pd.Series:
    if name not in cols:
        return pd.Series([None] * n, dtype=object)
    txt = readers.text_column(cols[name].reset_index(drop=True))
    vm = mapping.values.get(name)
    if vm:
        norm = {readers.cell_text(k): v for k, v in vm.items()}
        txt = pd.Series([norm.get(v, v) if v is not None else None for v in txt], dtype=object)
    return txt


def is_missing(s: pd.Series) -> np.ndarray:
    return s.isna().to_numpy()


def resolve_crs(text: pd.Series, default: str | None) -> tuple[pd.Series, np.ndarray]:
    fallback = CRS_NAMES.get((default or "WGS84").upper().replace("-", "")) or "WGS84"
    out, bad = [], []
    for v in text:
        if v is None:
            out.append(fallback)
            bad.append(False)
        else:
            key = v.strip().upper().replace(" ", "")
            got = CRS_NAMES.get(key) or CRS_NAMES.get(v.strip()) or CRS_NAMES.get(key.replace("-", ""))
            out.append(got or fallback)
            bad.append(got is None)
    return pd.Series(out, dtype=object), np.asarray(bad, dtype=bool)


class Refs:
    """参考表与 --create-missing 的新增项。"""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        create_missing: bool,
        chosen: dict[str, str] | None = None,
        place: Place = CLI,
    ) -> None:
        """chosen：库的设置（statedb.office_settings）；本县按 settings.our_county 的唯一规则，与看板一致。
        place：用户在哪里导入（报告里的建议指向那里的参数或控件）。"""
        self.create = create_missing
        self.place = place
        self.units = lookup(con, "select code, name from unit")
        self.unit_by_name = dict(zip(self.units["name"], self.units["code"]))
        self.unit_codes = set(self.units["code"])
        reg = lookup(con, "select code, name, level, parent_code from region")
        self.regions = reg
        self.township_by_name = dict(zip(reg.loc[reg.level == "镇街", "name"], reg.loc[reg.level == "镇街", "code"]))
        comm = reg[reg.level == "社区村"]
        self.community_by_key = {(p, nm): c for c, nm, p in zip(comm["code"], comm["name"], comm["parent_code"])}
        self.region_codes = set(reg["code"])
        self.categories = set(lookup(con, "select name from problem_category")["name"])
        meta = dict(lookup(con, "select key, value from meta").itertuples(index=False, name=None))
        self.meta = meta
        self.our_code = settings.our_county(chosen, meta)  # 本县（可能为空：还没选定）
        rounds = lookup(con, "select code, name, edition from round")
        self.round_by_key = {**dict(zip(rounds["name"], rounds["code"])), **dict(zip(rounds["code"], rounds["code"]))}
        self.round_edition = dict(zip(rounds["code"], rounds["edition"]))
        std = lookup(con, "select edition, code from framework_node where level = '测评标准'")
        self.standards = set(zip(std["edition"], std["code"]))
        self.site_types = set(lookup(con, "select name from site_type")["name"])
        self.new_site_types: list[str] = []
        sites = lookup(con, "select code, name, township_code from site")
        self.site_codes = set(sites["code"])
        self.site_by_name = dict(zip(sites["name"], sites["code"]))
        self.site_township = dict(zip(sites["code"], sites["township_code"]))
        b = lookup(
            con,
            "select b.region_code, b.geom_wkb, r.level from boundary b join region r on r.code = b.region_code "
            "qualify b.version = max(b.version) over (partition by b.region_code)",
        )
        self.township_geoms = [(c, geo.from_wkb(bytes(w))) for c, w, lv in b.itertuples(index=False) if lv == "镇街"]
        self.county_geoms = [geo.from_wkb(bytes(w)) for c, w, lv in b.itertuples(index=False) if lv == "县级"]
        # 新增项：名称 → 新编码
        self.new_units: dict[str, str] = {}
        self.new_townships: dict[str, str] = {}
        self.new_communities: dict[tuple[str, str], str] = {}
        self.new_categories: list[str] = []
        self.new_county: tuple[str, str] | None = None
        self.new_counties: dict[str, str] = {}  # 测评成绩里新出现的县级单位（排名组成员）
        self.new_sites: list[dict] = []  # 问题台账里新出现的点位（imports.sites）

    def _next_code(self, prefix: str, taken: set[str], made: int) -> str:
        k = made + 1
        while f"{prefix}{k:04d}" in taken:
            k += 1
        return f"{prefix}{k:04d}"

    def unit(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.unit_by_name:
            return self.unit_by_name[name]
        if name in self.new_units:
            return self.new_units[name]
        if name in self.unit_codes:
            return name
        if not self.create:
            return None
        code = self._next_code("IMPU", self.unit_codes | set(self.new_units.values()), len(self.new_units))
        self.new_units[name] = code
        return code

    def _known_or_new(self, name: str, known: set[str], new: list[str]) -> bool:
        """库中有，或可新增（--create-missing / 页面上的开关）时记为新增；否则 False（调用方报错）。"""
        if name in known:
            return True
        if self.create:
            known.add(name)
            new.append(name)
            return True
        return False

    def category(self, name: str | None) -> bool:
        return name is not None and self._known_or_new(name, self.categories, self.new_categories)

    def site_type(self, name: str) -> bool:
        return self._known_or_new(name, self.site_types, self.new_site_types)

    def county_code(self) -> str:
        our = self.our_code
        if our and our in self.region_codes:
            return our
        counties = self.regions.loc[self.regions.level == "县级", "code"].tolist()
        if len(counties) == 1:
            return counties[0]
        if "IMPC" in self.region_codes:  # 上次导入加的“待补充县”
            return "IMPC"
        if self.new_county is None:
            self.new_county = ("IMPP", "IMPC")
        return self.new_county[1]

    def county(self, name: str) -> str:
        """--create-missing：排名组里新出现的县级单位，挂在本县所在的省下。"""
        if name not in self.new_counties:
            self.new_counties[name] = self._next_code(
                "IMPX", self.region_codes | set(self.new_counties.values()), len(self.new_counties)
            )
        return self.new_counties[name]

    def province_code(self) -> str:
        our = self.our_code
        parent = dict(zip(self.regions["code"], self.regions["parent_code"]))
        if our in parent and parent[our]:
            return parent[our]
        provinces = self.regions.loc[self.regions.level == "省", "code"].tolist()
        if len(provinces) == 1:
            return provinces[0]
        if "IMPP" in self.region_codes:
            return "IMPP"
        if self.new_county is None:
            self.new_county = ("IMPP", "IMPC")
        return self.new_county[0]

    def township(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name in self.township_by_name:
            return self.township_by_name[name]
        if name in self.new_townships:
            return self.new_townships[name]
        if not self.create:
            return None
        code = self._next_code("IMPT", self.region_codes | set(self.new_townships.values()), len(self.new_townships))
        self.new_townships[name] = code
        return code

    def community(self, township: str | None, name: str | None) -> str | None:
        if township is None or name is None:
            return None
        key = (township, name)
        if key in self.community_by_key:
            return self.community_by_key[key]
        if key in self.new_communities:
            return self.new_communities[key]
        if not self.create:
            return None
        code = self._next_code(
            "IMPV", self.region_codes | set(self.new_communities.values()), len(self.new_communities)
        )
        self.new_communities[key] = code
        return code

    def created_frames(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        regions: list[tuple[str, str, str, None, str | None]] = []
        province = self.province_code() if self.new_counties else None
        if self.new_townships or self.new_communities:
            county = self.county_code()
        if self.new_county is not None:
            if "IMPP" not in self.region_codes:
                regions.append(("IMPP", "待补充省（导入时自动添加）", "省", None, None))
            if (self.new_townships or self.new_communities) and "IMPC" not in self.region_codes:
                regions.append(("IMPC", "待补充县（导入时自动添加）", "县级", None, "IMPP"))
        for name, code in self.new_counties.items():
            regions.append((code, name, "县级", None, province))
        if self.new_townships or self.new_communities:
            for name, code in self.new_townships.items():
                regions.append((code, name, "镇街", None, county))
            for (town, name), code in self.new_communities.items():
                regions.append((code, name, "社区村", None, town))
        if regions:
            out["region"] = pd.DataFrame(regions, columns=["code", "name", "level", "kind", "parent_code"])
        if self.new_categories:
            out["problem_category"] = pd.DataFrame(
                {"name": self.new_categories, "parent": [None] * len(self.new_categories)}
            )
        if self.new_site_types:
            out["site_type"] = pd.DataFrame({"name": self.new_site_types})
        if self.new_units:
            out["unit"] = pd.DataFrame(
                {
                    "code": list(self.new_units.values()),
                    "name": list(self.new_units),
                    "kind": "条",
                    "unit_type": "待补充",
                    "region_code": None,
                }
            )
        if self.new_sites:
            out["site"] = pd.DataFrame(self.new_sites)
        return out


def flag_bad_choice(ck: Checker, s: pd.Series, allowed: Collection[str], column: str) -> None:
    mask = s.notna().to_numpy() & ~s.isin(list(allowed)).to_numpy()
    advice = ck.place.value_map.format(column=column)
    ck.flag(mask, column, s, f"取值不在允许范围内，应为：{'、'.join(allowed)}（{advice}）")


def flag_required(ck: Checker, s: pd.Series, column: str) -> None:
    ck.flag(is_missing(s), column, s, "必填，不能为空")


def row_mask(n: int, i: int) -> np.ndarray:
    """只有第 i 行为 True 的掩码（逐行报错时用）。"""
    mask = np.zeros(n, dtype=bool)
    mask[i] = True
    return mask


def note(prep: Prepared, column: str, value: object, reason: str, row: str = "") -> None:
    """报告里一条不属于某一行的提示（照常导入）：写明文件、工作表、列、值与原因；row 可写“表头”。"""
    prep.issues.append(
        {
            "级别": NOTE,
            "文件": prep.table.file_name,
            "工作表": prep.table.sheet,
            "行": row,
            "列": column,
            "值": value,
            "原因": reason,
        }
    )


def resolve(
    ck: Checker, refs: Refs, names: pd.Series, find: Callable[[Any], str | None], column: str, what: str
) -> pd.Series:
    """名称列 → 库中（或新增的）编码（find 如 refs.unit、refs.township）；填了却对不上的报错，原因写明怎样让它自动新增。"""
    found = pd.Series([find(v) for v in names], dtype=object)
    ck.flag(
        names.notna().to_numpy() & found.isna().to_numpy(), column, names, unknown_reason(what, refs.create, refs.place)
    )
    return found


def flag_unknown(
    ck: Checker, refs: Refs, names: pd.Series, known: Callable[[str], bool], column: str, what: str
) -> None:
    """名称列：填了、库中没有又不能新增的报错（known 如 refs.category、refs.site_type，可新增时顺手记为新增）。"""
    ok = np.array([v is None or known(v) for v in names], dtype=bool)
    ck.flag(~ok, column, names, unknown_reason(what, refs.create, refs.place))


def flag_unknown_editions(ck: Checker, edition: pd.Series, known: Collection[str]) -> None:
    """测评体系版本列：填了、库中却没有的报错（成绩、抽样方案、扣分方式、类别对照都随版本）。"""
    ck.flag(
        edition.notna().to_numpy() & ~edition.isin(list(known)).to_numpy(),
        "测评体系版本",
        edition,
        "库中没有这个测评体系版本（请先导入测评体系）",
    )


def dates(ck: Checker, cols: dict[str, pd.Series], name: str, n: int, mapping: Mapping, required: bool) -> pd.Series:
    if name not in cols:
        return pd.Series([pd.NaT] * n, dtype="datetime64[us]")
    raw = cols[name].reset_index(drop=True)
    parsed, bad = readers.parse_dates(raw, mapping.date_format)
    ck.flag(
        bad,
        name,
        raw,
        "无法识别的日期"
        + (
            f"（{ck.place.date_format} {mapping.date_format}）"
            if mapping.date_format
            else "，应写成 2025-03-05、2025/3/5、2025年3月5日、2025.3.5 或 Excel 日期"
        ),
    )
    if required:
        ck.flag(parsed.isna().to_numpy() & ~bad, name, raw, "必填，不能为空")
    return parsed


def unknown_reason(what: str, create: bool, place: Place = CLI) -> str:
    return f"库中没有这个{what}" + ("" if create else f"；{place.create}，{place.rename}")
