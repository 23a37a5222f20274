"""逐行校验并把源表变成“将要写入的行”。不写库：只读参考表（单位、镇街、类别、轮次、体系、已有问题）。

结果 Prepared：要写入的问题/事件/单位等 DataFrame、要新增的参考数据（--create-missing）、逐条问题（Issue）。
报告中的每条问题写明 文件、工作表、行、列、值、原因；“错误”阻止导入（整批模式）或使该行被拒（部分导入），
“提示”只告知（例如已有问题的字段与库中不同、未改写）。
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from chuangwen import geo
from chuangwen.imports import readers
from chuangwen.imports.kinds import ACTIONS, CRS_NAMES, KINDS, SEVERITIES, SOURCES, STATUSES, UNIT_TYPES
from chuangwen.imports.mapping import Mapping

ERROR, NOTE = "错误", "提示"
REPORT_COLUMNS = ["级别", "文件", "工作表", "行", "列", "值", "原因"]
# 一格里写几个名称（配合单位、点位类型）时的分隔符：办公室用的顿号、逗号、分号和换行。
# 不含“/”：单位全称里常有（“交通运输局/公路事业发展中心”是一个单位），按它拆会造出半截单位
NAME_SEPARATORS = re.compile(r"[、，,；;\r\n]+")


def split_names(text: str | None) -> list[str]:
    """一格里的几个名称，去掉首尾空白与空项；None 为空列表。"""
    return [p.strip() for p in NAME_SEPARATORS.split(text) if p.strip()] if text else []
# 整改状态 → 要追加的事件（动作，时刻取自：found=发现时间，closed=销号时间）
STATUS_EVENTS = {
    "待交办": [],
    "已交办": [("交办", "found")],
    "整改中": [("交办", "found"), ("整改中", "found")],
    "申请销号": [("交办", "found"), ("申请销号", "found")],
    "已销号": [("交办", "found"), ("已销号", "closed")],
    "退回整改": [("交办", "found"), ("退回", "found")],
    "反弹重开": [("交办", "found"), ("反弹重开", "found")],
}
LAST_ACTION_STATUS = {"交办": "已交办", "整改中": "整改中", "申请销号": "申请销号", "已销号": "已销号",
                      "退回": "退回整改", "反弹重开": "反弹重开"}


@dataclass
class Prepared:
    kind: str
    table: readers.Table
    rows_total: int
    issues: list[dict] = field(default_factory=list)
    rejected: np.ndarray | None = None          # 源表中被拒的行（布尔）
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)   # 表名 → 要插入的行
    created: dict[str, pd.DataFrame] = field(default_factory=dict)  # 表名 → --create-missing 新增的参考行
    skipped: int = 0                            # 与库中完全相同、跳过的行

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


class _Checker:
    """收集逐行问题；bad 标记被拒的行。"""

    def __init__(self, table: readers.Table, n: int):
        self.table, self.rownum = table, readers.row_numbers(table)
        self.bad = np.zeros(n, dtype=bool)
        self.issues: list[dict] = []

    def flag(self, mask, column: str, values, reason: str | callable, level: str = ERROR) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        vals = None if values is None or np.isscalar(values) else np.asarray(values, dtype=object)
        for i in idx:
            v = values if vals is None else vals[i]
            self.issues.append({
                "级别": level, "文件": self.table.file_name, "工作表": self.table.sheet, "行": int(self.rownum[i]),
                "列": column, "值": "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v),
                "原因": reason(v) if callable(reason) else reason,
            })
        if level == ERROR:
            self.bad[idx] = True


def _lookup(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()


def _source_columns(table: readers.Table, mapping: Mapping, kind: str) -> tuple[dict[str, pd.Series], list[dict]]:
    """按映射取出模板列（原始单元格）；映射指向的源列不存在时记为文件级错误。"""
    n, out, problems = len(table.data), {}, []
    headers = {readers._clean_header(c): c for c in table.columns}
    for col in KINDS[kind].names:
        src = mapping.columns.get(col)
        if src is not None and readers._clean_header(src) in headers:
            out[col] = table.data[headers[readers._clean_header(src)]]
        elif col in mapping.defaults:
            out[col] = pd.Series([mapping.defaults[col]] * n, dtype=object)
        elif src is not None and mapping.columns is not None and (src != col or col in KINDS[kind].required):
            if src != col or col in KINDS[kind].required:
                problems.append({"级别": ERROR, "文件": table.file_name, "工作表": table.sheet, "行": "表头",
                                 "列": col, "值": src, "原因": f"文件中没有列“{src}”（映射到模板列“{col}”）"})
    missing_required = [c for c in KINDS[kind].required if c not in out]
    for c in missing_required:
        if not any(p["列"] == c for p in problems):
            problems.append({"级别": ERROR, "文件": table.file_name, "工作表": table.sheet, "行": "表头", "列": c,
                             "值": "", "原因": "缺少必填列；请在文件中加上这一列，或在映射文件 [columns] 中指明对应的源列"})
    return out, problems


def _texts(cols: dict[str, pd.Series], name: str, n: int, mapping: Mapping) -> pd.Series:
    if name not in cols:
        return pd.Series([None] * n, dtype=object)
    txt = readers.text_column(cols[name].reset_index(drop=True))
    vm = mapping.values.get(name)
    if vm:
        norm = {readers.cell_text(k): v for k, v in vm.items()}
        txt = pd.Series([norm.get(v, v) if v is not None else None for v in txt], dtype=object)
    return txt


def _missing(s: pd.Series) -> np.ndarray:
    return s.isna().to_numpy()


def _resolve_crs(text: pd.Series, default: str | None) -> tuple[pd.Series, np.ndarray]:
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


class _Refs:
    """参考表与 --create-missing 的新增项。"""

    def __init__(self, con, create_missing: bool):
        self.create = create_missing
        self.units = _lookup(con, "select code, name from unit")
        self.unit_by_name = dict(zip(self.units["name"], self.units["code"]))
        self.unit_codes = set(self.units["code"])
        reg = _lookup(con, "select code, name, level, parent_code from region")
        self.regions = reg
        self.township_by_name = dict(zip(reg.loc[reg.level == "镇街", "name"], reg.loc[reg.level == "镇街", "code"]))
        comm = reg[reg.level == "社区村"]
        self.community_by_key = {(p, nm): c for c, nm, p in zip(comm["code"], comm["name"], comm["parent_code"])}
        self.region_codes = set(reg["code"])
        self.categories = set(_lookup(con, "select name from problem_category")["name"])
        meta = dict(_lookup(con, "select key, value from meta").itertuples(index=False, name=None))
        self.meta = meta
        rounds = _lookup(con, "select code, name, edition from round")
        self.round_by_key = {**dict(zip(rounds["name"], rounds["code"])), **dict(zip(rounds["code"], rounds["code"]))}
        self.round_edition = dict(zip(rounds["code"], rounds["edition"]))
        std = _lookup(con, "select edition, code from framework_node where level = '测评标准'")
        self.standards = set(zip(std["edition"], std["code"]))
        self.site_types = set(_lookup(con, "select name from site_type")["name"])
        self.new_site_types: list[str] = []
        sites = _lookup(con, "select code, name, township_code from site")
        self.site_codes = set(sites["code"])
        self.site_by_name = dict(zip(sites["name"], sites["code"]))
        self.site_township = dict(zip(sites["code"], sites["township_code"]))
        b = _lookup(con, "select b.region_code, b.geom_wkb, r.level from boundary b join region r on r.code = b.region_code "
                         "qualify b.version = max(b.version) over (partition by b.region_code)")
        self.township_geoms = [(c, geo.from_wkb(bytes(w))) for c, w, lv in b.itertuples(index=False) if lv == "镇街"]
        self.county_geoms = [geo.from_wkb(bytes(w)) for c, w, lv in b.itertuples(index=False) if lv == "县级"]
        # 新增项：名称 → 新编码
        self.new_units: dict[str, str] = {}
        self.new_townships: dict[str, str] = {}
        self.new_communities: dict[tuple[str, str], str] = {}
        self.new_categories: list[str] = []
        self.new_county: tuple[str, str] | None = None
        self.new_counties: dict[str, str] = {}     # 测评成绩里新出现的县级单位（排名组成员）

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

    def category(self, name: str | None) -> bool:
        if name is None:
            return False
        if name in self.categories:
            return True
        if self.create:
            self.categories.add(name)
            self.new_categories.append(name)
            return True
        return False

    def county_code(self) -> str:
        our = self.meta.get("our_region_code")
        if our and our in self.region_codes:
            return our
        counties = self.regions.loc[self.regions.level == "县级", "code"].tolist()
        if len(counties) == 1:
            return counties[0]
        if "IMPC" in self.region_codes:           # 上次导入加的“待补充县”
            return "IMPC"
        if self.new_county is None:
            self.new_county = ("IMPP", "IMPC")
        return self.new_county[1]

    def county(self, name: str) -> str:
        """--create-missing：排名组里新出现的县级单位，挂在本县所在的省下。"""
        if name not in self.new_counties:
            self.new_counties[name] = self._next_code("IMPX", self.region_codes | set(self.new_counties.values()),
                                                      len(self.new_counties))
        return self.new_counties[name]

    def province_code(self) -> str:
        our = self.meta.get("our_region_code")
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
        code = self._next_code("IMPV", self.region_codes | set(self.new_communities.values()), len(self.new_communities))
        self.new_communities[key] = code
        return code

    def created_frames(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        regions = []
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
            out["problem_category"] = pd.DataFrame({"name": self.new_categories, "parent": [None] * len(self.new_categories)})
        if self.new_site_types:
            out["site_type"] = pd.DataFrame({"name": self.new_site_types})
        if self.new_units:
            out["unit"] = pd.DataFrame({"code": list(self.new_units.values()), "name": list(self.new_units),
                                        "kind": "条", "unit_type": "待补充", "region_code": None})
        return out


def _bad_choice(ck: _Checker, s: pd.Series, allowed, column: str) -> None:
    mask = s.notna().to_numpy() & ~s.isin(list(allowed)).to_numpy()
    ck.flag(mask, column, s, f"取值不在允许范围内，应为：{'、'.join(allowed)}（可在映射文件 [values.{column}] 中对照）")


def _required(ck: _Checker, s: pd.Series, column: str) -> None:
    ck.flag(_missing(s), column, s, "必填，不能为空")


def _dates(ck, cols, name, n, mapping, required: bool) -> pd.Series:
    if name not in cols:
        return pd.Series([pd.NaT] * n, dtype="datetime64[us]")
    raw = cols[name].reset_index(drop=True)
    parsed, bad = readers.parse_dates(raw, mapping.date_format)
    ck.flag(bad, name, raw, "无法识别的日期" + (f"（映射文件指定格式 {mapping.date_format}）" if mapping.date_format else
                                              "，应写成 2025-03-05、2025/3/5、2025年3月5日、2025.3.5 或 Excel 日期"))
    if required:
        ck.flag(parsed.isna().to_numpy() & ~bad, name, raw, "必填，不能为空")
    return parsed


def prepare(con, kind: str, table: readers.Table, mapping: Mapping, *, crs: str | None = None,
            create_missing: bool = False) -> Prepared:
    """校验一张表；不写库。"""
    if kind not in KINDS:
        raise ValueError(f"不认识的导入种类“{kind}”")
    cols, header_problems = _source_columns(table, mapping, kind)
    n = len(table.data)
    prep = Prepared(kind, table, n)
    if header_problems:
        prep.issues = header_problems
        prep.rejected = np.ones(n, dtype=bool)
        return prep
    ck = _Checker(table, n)
    refs = _Refs(con, create_missing)
    if kind == "problems":
        _prepare_problems(con, prep, ck, refs, cols, mapping, crs or mapping.crs)
    elif kind == "events":
        _prepare_events(con, prep, ck, refs, cols, mapping)
    elif kind == "units":
        _prepare_units(prep, ck, refs, cols, mapping)
    elif kind == "sites":
        _prepare_sites(prep, ck, refs, cols, mapping, crs or mapping.crs)
    else:
        from chuangwen.imports import assessment
        getattr(assessment, f"prepare_{kind}")(con, prep, ck, refs, cols, mapping, _texts, _lookup)
    prep.issues = ck.issues + prep.issues
    prep.rejected = ck.bad
    prep.created = refs.created_frames()
    if prep.created:
        for table_name, df in prep.created.items():
            label = {"region": "地区", "problem_category": "问题类别", "unit": "责任单位", "site_type": "点位类型"}[table_name]
            codes = df["code"] if "code" in df else [None] * len(df)
            for name, code in zip(df["name"], codes):
                prep.issues.append({"级别": NOTE, "文件": table.file_name, "工作表": table.sheet, "行": "", "列": label,
                                    "值": name, "原因": "库中没有，按 --create-missing 新增" + (f"（编码 {code}）" if code else "")})
    return prep


def _unknown_reason(what: str, create: bool) -> str:
    return f"库中没有这个{what}" + ("" if create else "；首次导入可加 --create-missing 自动新增，或在映射文件 [values] 中对照到已有名称")


def _prepare_problems(con, prep, ck, refs, cols, mapping, crs) -> None:
    n = prep.rows_total
    T = {c: _texts(cols, c, n, mapping) for c in KINDS["problems"].names
         if c not in ("发现时间", "整改期限", "销号时间", "经度", "纬度")}
    code = T["问题编号"]
    for c in ("问题编号", "来源", "问题类别", "问题描述", "严重程度", "牵头单位"):
        _required(ck, T[c], c)
    found = _dates(ck, cols, "发现时间", n, mapping, True)
    deadline = _dates(ck, cols, "整改期限", n, mapping, False)
    closed = _dates(ck, cols, "销号时间", n, mapping, False)
    ck.flag((deadline < found).to_numpy(), "整改期限", deadline.astype(str), "整改期限早于发现时间")
    ck.flag((closed < found).to_numpy(), "销号时间", closed.astype(str), "销号时间早于发现时间")
    dup = code.notna() & code.duplicated(keep="first")
    ck.flag(dup.to_numpy(), "问题编号", code, "文件中重复的问题编号（只保留第一次出现的行）")
    _bad_choice(ck, T["来源"], SOURCES, "来源")
    _bad_choice(ck, T["严重程度"], SEVERITIES, "严重程度")
    status = T["整改状态"].copy()
    status = status.where(status.notna(), np.where(closed.notna(), "已销号", "已交办"))
    _bad_choice(ck, status, STATUSES, "整改状态")
    ck.flag((status == "已销号").to_numpy() & closed.isna().to_numpy(), "销号时间", closed.astype(str), "整改状态为已销号时必须填写销号时间")
    # 参考数据
    cat = T["问题类别"]
    ok = np.array([refs.category(v) if v is not None else True for v in cat])
    ck.flag(~ok, "问题类别", cat, _unknown_reason("问题类别", refs.create))
    lead = pd.Series([refs.unit(v) for v in T["牵头单位"]], dtype=object)
    ck.flag(T["牵头单位"].notna().to_numpy() & lead.isna().to_numpy(), "牵头单位", T["牵头单位"], _unknown_reason("责任单位", refs.create))
    coop_rows = []
    for i, v in enumerate(T["配合单位"]):
        if v is None:
            continue
        for name in split_names(v):
            u = refs.unit(name)
            if u is None:
                ck.flag(np.eye(1, n, i, dtype=bool)[0], "配合单位", name, _unknown_reason("责任单位", refs.create))
            elif u != lead[i]:
                coop_rows.append((i, u))
    town = pd.Series([refs.township(v) for v in T["镇街"]], dtype=object)
    ck.flag(T["镇街"].notna().to_numpy() & town.isna().to_numpy(), "镇街", T["镇街"], _unknown_reason("镇街", refs.create))
    rnd = pd.Series([refs.round_by_key.get(v) if v else None for v in T["测评轮次"]], dtype=object)
    ck.flag(T["测评轮次"].notna().to_numpy() & rnd.isna().to_numpy(), "测评轮次", T["测评轮次"], "库中没有这个测评轮次（请先导入测评成绩或在库中建立轮次）")
    edition = pd.Series([refs.round_edition.get(r) or refs.meta.get("current_edition") if s else None
                         for r, s in zip(rnd, T["测评标准编号"])], dtype=object)
    std_ok = np.array([s is None or (e, s) in refs.standards for e, s in zip(edition, T["测评标准编号"])])
    ck.flag(~std_ok, "测评标准编号", T["测评标准编号"], "测评体系中没有这条测评标准（或无法确定测评体系版本）")
    site = pd.Series([refs.site_by_name.get(v) if v else None for v in T["点位名称"]], dtype=object)
    ck.flag(T["点位名称"].notna().to_numpy() & site.isna().to_numpy(), "点位名称", T["点位名称"], "库中没有这个点位（请先导入点位）")
    # 坐标：换算到 WGS-84；有边界时须在本县内，未填镇街的按边界判定
    lon_a, lat_a, wlon, wlat, crs_src, has_xy = _coordinates(ck, cols, n, T["坐标系"], crs, refs)
    if refs.township_geoms:
        hit = geo.locate(wlon, wlat, [g for _, g in refs.township_geoms])
        codes = np.array([c for c, _ in refs.township_geoms] + [None], dtype=object)
        by_geom = codes[np.where(hit >= 0, hit, len(codes) - 1)]
        town = town.where(town.notna(), pd.Series(by_geom, dtype=object))
    comm = pd.Series([refs.community(t, v) for t, v in zip(town, T["社区"])], dtype=object)
    ck.flag(T["社区"].notna().to_numpy() & comm.isna().to_numpy(), "社区", T["社区"], "无法确定社区：需要已知的镇街，且社区在该镇街下" + ("" if refs.create else "（或加 --create-missing）"))
    df = pd.DataFrame({
        "code": code, "found_at": found, "source": T["来源"], "round_code": rnd,
        "edition": edition.where(T["测评标准编号"].notna(), None), "standard_code": T["测评标准编号"],
        "category": cat, "site_code": site, "township_code": town.where(town.notna(), pd.Series([refs.site_township.get(s) for s in site], dtype=object)),
        "community_code": comm, "lon": np.where(has_xy, wlon, np.nan), "lat": np.where(has_xy, wlat, np.nan),
        "crs_source": np.where(has_xy, crs_src, None), "lon_source": np.where(has_xy, lon_a, np.nan),
        "lat_source": np.where(has_xy, lat_a, np.nan), "description": T["问题描述"], "severity": T["严重程度"],
        "lead_unit_code": lead, "deadline": deadline,
    })
    # 已有问题：不改写；状态变化只追加事件；其余字段不同则提示
    existing = _lookup(con, "select p.code, p.found_at, p.deadline, p.category, p.lead_unit_code, p.description, s.status, s.last_event_at "
                            "from problem p left join problem_state_as_of(timestamp '9999-12-31') s on s.problem_code = p.code")
    ex = existing.set_index("code")
    is_old = df["code"].isin(ex.index).to_numpy()
    ok = ~ck.bad
    new = ok & ~is_old
    codes_a = df["code"].to_numpy(dtype=object)
    status_a, lead_a = status.to_numpy(dtype=object), lead.to_numpy(dtype=object)
    old_events = []   # (problem_code, event_at, action, unit)：已有问题的状态变化
    changed_rows = 0
    for i in np.flatnonzero(ok & is_old):
        st, old = status_a[i], ex.loc[codes_a[i]]
        changed = [lab for lab, col in (("发现时间", "found_at"), ("整改期限", "deadline"), ("问题类别", "category"),
                                        ("牵头单位", "lead_unit_code"), ("问题描述", "description"))
                   if not _same(old[col], df[col].iat[i])]
        if changed:
            ck.flag(np.eye(1, n, i, dtype=bool)[0], "、".join(changed), codes_a[i],
                    "库中已有这条问题且这些字段不同：原记录保留不改写（历史不覆盖）；如需更正请联系管理员", NOTE)
        if st != old["status"] and st != "待交办":
            last = pd.Timestamp(old["last_event_at"]) if pd.notna(old["last_event_at"]) else found.iat[i]
            at = closed.iat[i] if st == "已销号" else max(last, found.iat[i])
            old_events.append((codes_a[i], at, STATUS_EVENTS[st][-1][0], lead_a[i]))
            changed_rows += 1
    # 新问题：按状态整列生成事件；同一时刻的事件按写入顺序（id）排序，所以先写所有第 1 步、再写第 2 步
    steps = []
    for k in range(2):
        for st, actions in STATUS_EVENTS.items():
            if len(actions) <= k:
                continue
            action, when = actions[k]
            m = new & (status_a == st)
            if m.any():
                steps.append(pd.DataFrame({"problem_code": codes_a[m], "event_at": (found if when == "found" else closed)[m].to_numpy(),
                                           "action": action, "unit_code": lead_a[m]}))
    if old_events:
        steps.append(pd.DataFrame(old_events, columns=["problem_code", "event_at", "action", "unit_code"]))
    events = pd.concat(steps, ignore_index=True) if steps else pd.DataFrame(columns=["problem_code", "event_at", "action", "unit_code"])
    prep.skipped = int((ok & is_old).sum()) - changed_rows
    prep.frames["problem"] = df[new].reset_index(drop=True)
    coop = pd.DataFrame([(codes_a[i], u) for i, u in coop_rows if new[i]], columns=["problem_code", "unit_code"]).drop_duplicates()
    prep.frames["problem_coop_unit"] = coop
    prep.frames["rectify_event"] = events.assign(note=None)


def _same(a, b) -> bool:
    if (a is None or (not isinstance(a, str) and pd.isna(a))) and (b is None or (not isinstance(b, str) and pd.isna(b))):
        return True
    try:
        return a == b or pd.Timestamp(a) == pd.Timestamp(b)
    except (ValueError, TypeError):
        return False


def _prepare_events(con, prep, ck, refs, cols, mapping) -> None:
    n = prep.rows_total
    T = {c: _texts(cols, c, n, mapping) for c in ("问题编号", "动作", "操作单位", "说明")}
    for c in ("问题编号", "动作"):
        _required(ck, T[c], c)
    at = _dates(ck, cols, "时间", n, mapping, True)
    _bad_choice(ck, T["动作"], ACTIONS, "动作")
    probs = _lookup(con, "select code, found_at from problem")
    found = dict(zip(probs["code"], probs["found_at"]))
    known = T["问题编号"].isin(list(found)).to_numpy()
    ck.flag(T["问题编号"].notna().to_numpy() & ~known, "问题编号", T["问题编号"], "库中没有这条问题（请先导入问题台账）")
    before = np.array([k and pd.notna(a) and a < found[c] for k, a, c in zip(known, at, T["问题编号"])], dtype=bool)
    ck.flag(before, "时间", at.astype(str), "整改事件早于问题的发现时间")
    unit = pd.Series([refs.unit(v) for v in T["操作单位"]], dtype=object)
    ck.flag(T["操作单位"].notna().to_numpy() & unit.isna().to_numpy(), "操作单位", T["操作单位"], _unknown_reason("责任单位", refs.create))
    df = pd.DataFrame({"problem_code": T["问题编号"], "event_at": at, "action": T["动作"], "unit_code": unit, "note": T["说明"]})
    ok = ~ck.bad
    have = _lookup(con, "select problem_code, event_at, action from rectify_event")
    keys = set(zip(have["problem_code"], pd.to_datetime(have["event_at"]), have["action"]))
    seen = np.array([(c, pd.Timestamp(a), x) in keys for c, a, x in zip(df["problem_code"], df["event_at"], df["action"])], dtype=bool)
    dup_in_file = df.duplicated(["problem_code", "event_at", "action"]).to_numpy()
    keep = ok & ~seen & ~dup_in_file
    prep.skipped = int((ok & ~keep).sum())
    prep.frames["rectify_event"] = df[keep].reset_index(drop=True)


def _prepare_units(prep, ck, refs, cols, mapping) -> None:
    n = prep.rows_total
    T = {c: _texts(cols, c, n, mapping) for c in KINDS["units"].names}
    for c in ("单位名称", "条块", "单位类型"):
        _required(ck, T[c], c)
    _bad_choice(ck, T["条块"], ("条", "块"), "条块")
    _bad_choice(ck, T["单位类型"], UNIT_TYPES, "单位类型")
    dup = T["单位名称"].notna() & T["单位名称"].duplicated()
    ck.flag(dup.to_numpy(), "单位名称", T["单位名称"], "文件中重复的单位名称")
    kuai = (T["条块"] == "块").to_numpy()
    ck.flag(kuai & T["所属镇街"].isna().to_numpy(), "所属镇街", T["所属镇街"], "“块”单位必须填写所属镇街")
    town = pd.Series([refs.township(v) if k else None for v, k in zip(T["所属镇街"], kuai)], dtype=object)
    ck.flag(kuai & T["所属镇街"].notna().to_numpy() & town.isna().to_numpy(), "所属镇街", T["所属镇街"], _unknown_reason("镇街", refs.create))
    code_taken = T["单位编码"].notna() & T["单位编码"].isin(list(refs.unit_codes)) & ~T["单位名称"].isin(list(refs.unit_by_name))
    ck.flag(code_taken.to_numpy(), "单位编码", T["单位编码"], "单位编码已被库中另一个单位使用")
    ok = ~ck.bad
    exists = T["单位名称"].isin(list(refs.unit_by_name)).to_numpy()
    new = ok & ~exists
    codes, taken = [], set(refs.unit_codes)
    for c in T["单位编码"][new]:
        if c is None:
            c = refs._next_code("IMPU", taken, 0)
        taken.add(c)
        codes.append(c)
    prep.skipped = int((ok & exists).sum())
    prep.frames["unit"] = pd.DataFrame({"code": codes, "name": T["单位名称"][new].to_numpy(), "kind": T["条块"][new].to_numpy(),
                                        "unit_type": T["单位类型"][new].to_numpy(), "region_code": town[new].to_numpy()})


def _coordinates(ck, cols, n, text_crs, default_crs, refs):
    """经纬度列 → （原经度, 原纬度, WGS-84 经度, WGS-84 纬度, 坐标系, 有坐标掩码）；问题与点位共用。"""
    nan = (pd.Series(np.nan, index=range(n)), np.zeros(n, bool))
    lon, bad_lon = readers.parse_numbers(cols["经度"].reset_index(drop=True)) if "经度" in cols else nan
    lat, bad_lat = readers.parse_numbers(cols["纬度"].reset_index(drop=True)) if "纬度" in cols else nan
    ck.flag(bad_lon, "经度", cols.get("经度"), "经度应为数字")
    ck.flag(bad_lat, "纬度", cols.get("纬度"), "纬度应为数字")
    lon_a, lat_a = lon.to_numpy(float), lat.to_numpy(float)
    ck.flag(np.isnan(lon_a) != np.isnan(lat_a), "经度", lon_a, "经度与纬度应同时填写或同时留空")
    ck.flag(~np.isnan(lon_a) & ((lon_a < -180) | (lon_a > 180)), "经度", lon_a, "经度超出 -180～180")
    ck.flag(~np.isnan(lat_a) & ((lat_a < -90) | (lat_a > 90)), "纬度", lat_a, "纬度超出 -90～90")
    crs_src, bad_crs = _resolve_crs(text_crs, default_crs)
    ck.flag(bad_crs, "坐标系", text_crs, "不认识的坐标系，应为 WGS84、CGCS2000、GCJ02 或 BD09")
    has_xy = ~np.isnan(lon_a) & ~np.isnan(lat_a) & ~ck.bad
    wlon, wlat = np.full(n, np.nan), np.full(n, np.nan)
    for c in set(crs_src[has_xy]):
        m = has_xy & (crs_src == c).to_numpy()
        wlon[m], wlat[m] = geo.to_wgs84(lon_a[m], lat_a[m], c)
    if refs.county_geoms or refs.township_geoms:
        shapes = refs.county_geoms or [g for _, g in refs.township_geoms]
        inside = np.zeros(n, dtype=bool)
        for g in shapes:
            inside |= geo.contains(g, wlon, wlat)
        ck.flag(has_xy & ~inside, "经度", [f"{a}, {b}" for a, b in zip(lon_a, lat_a)], "坐标（换算到 WGS-84 后）不在本县边界内")
        has_xy &= ~ck.bad
    return lon_a, lat_a, wlon, wlat, crs_src, has_xy


def _prepare_sites(prep, ck, refs, cols, mapping, crs) -> None:
    n = prep.rows_total
    T = {c: _texts(cols, c, n, mapping) for c in ("点位名称", "点位编码", "点位类型", "镇街", "社区", "地址", "坐标系")}
    for c in ("点位名称", "点位类型", "镇街"):
        _required(ck, T[c], c)
    dup = T["点位名称"].notna() & T["点位名称"].duplicated()
    ck.flag(dup.to_numpy(), "点位名称", T["点位名称"], "文件中重复的点位名称")
    ok_type = []
    for v in T["点位类型"]:
        if v is None or v in refs.site_types:
            ok_type.append(True)
        elif refs.create:
            refs.site_types.add(v)
            refs.new_site_types.append(v)
            ok_type.append(True)
        else:
            ok_type.append(False)
    ck.flag(~np.array(ok_type, dtype=bool), "点位类型", T["点位类型"], _unknown_reason("点位类型", refs.create))
    town = pd.Series([refs.township(v) for v in T["镇街"]], dtype=object)
    ck.flag(T["镇街"].notna().to_numpy() & town.isna().to_numpy(), "镇街", T["镇街"], _unknown_reason("镇街", refs.create))
    comm = pd.Series([refs.community(t, v) for t, v in zip(town, T["社区"])], dtype=object)
    ck.flag(T["社区"].notna().to_numpy() & comm.isna().to_numpy(), "社区", T["社区"], "无法确定社区：需要已知的镇街" + ("" if refs.create else "（或加 --create-missing）"))
    code_taken = T["点位编码"].notna() & T["点位编码"].isin(list(refs.site_codes)) & ~T["点位名称"].isin(list(refs.site_by_name))
    ck.flag(code_taken.to_numpy(), "点位编码", T["点位编码"], "点位编码已被库中另一个点位使用")
    lon_a, lat_a, wlon, wlat, crs_src, has_xy = _coordinates(ck, cols, n, T["坐标系"], crs, refs)
    ok = ~ck.bad
    exists = T["点位名称"].isin(list(refs.site_by_name)).to_numpy()
    new = ok & ~exists
    codes, taken = [], set(refs.site_codes)
    for c in T["点位编码"][new]:
        if c is None:
            c = refs._next_code("IMPS", taken, 0)
        taken.add(c)
        codes.append(c)
    prep.skipped = int((ok & exists).sum())
    prep.frames["site"] = pd.DataFrame({
        "code": codes, "name": T["点位名称"][new].to_numpy(), "site_type": T["点位类型"][new].to_numpy(),
        "township_code": town[new].to_numpy(), "community_code": comm[new].to_numpy(), "address": T["地址"][new].to_numpy(),
        "lon": np.where(has_xy, wlon, np.nan)[new], "lat": np.where(has_xy, wlat, np.nan)[new],
        "crs_source": np.where(has_xy, crs_src, "WGS84")[new],
        "lon_source": np.where(has_xy, lon_a, np.nan)[new], "lat_source": np.where(has_xy, lat_a, np.nan)[new],
    })
