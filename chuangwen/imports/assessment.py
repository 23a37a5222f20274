"""测评体系、测评成绩与扣分明细的逐行校验（validate.prepare 经 PREPARERS 调用；不写库）。

- 测评体系：按版本保存。库中已有的版本里编号相同、内容相同的行跳过，内容不同的报错（修改请用新版本号）；
  新版本的满分取各板块分值之和，已有版本新增板块时满分随之更新。
- 测评成绩：每个县级单位每轮一行；“总分”之外的列按编号或名称对上该轮测评体系的板块/测评项目，作分项得分。
  库中没有的轮次、县级单位在 --create-missing 时新增。已有成绩相同的跳过，不同的报错（成绩不改写）。
- 扣分明细：本县每轮每条测评标准的扣分；同轮同标准的扣分合计（库中已有的加文件中的）不能超过标准分值。
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from chuangwen.imports import readers
from chuangwen.imports.checks import (
    NOTE,
    Checker,
    Prepared,
    Refs,
    dates,
    flag_bad_choice,
    flag_required,
    flag_unknown,
    flag_unknown_editions,
    lookup,
    note,
    resolve,
    row_mask,
    split_names,
    texts,
    unknown_reason,
)
from chuangwen.imports.kinds import KINDS, LEVELS, METHODS, SCOPES
from chuangwen.imports.mapping import Mapping
from chuangwen.imports.published_ranks import (
    _check_published_ranks,
    _same_number,
    is_published_rank,
    is_rank_header,
)
from chuangwen.vocabulary import DEFAULT_ROUND_TYPE, ROUND_TYPES

SEP = "|"

_NODE_CODE = re.compile(r"^\d+(\.\d+){0,3}$")
_HEADER_CODE = re.compile(r"^(\d+(?:\.\d+)?)(?:[\s.、．:：_-]*(.*))?$")


def creation_cycle(year: int) -> str:
    """创建周期（三年一届，2018-2020、2021-2023、2024-2026……）。"""
    start = 2018 + 3 * ((year - 2018) // 3)
    return f"{start}-{start + 2}"


def _numbers(
    ck: Checker, cols: dict[str, pd.Series], name: str, n: int, required: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """数字列 → （值，是否填写）；无法解析的记错误，必填列的空单元格也记错误。"""
    if name not in cols:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    raw = cols[name].reset_index(drop=True)
    num, bad = readers.parse_numbers(raw)
    ck.flag(bad, name, raw, "应为数字")
    arr = num.to_numpy(float)
    if required:
        ck.flag(np.isnan(arr) & ~bad, name, None, "必填，不能为空")
    return arr, ~np.isnan(arr)


def _imported_by(con: duckdb.DuckDBPyConnection, lookup: Callable[..., pd.DataFrame], table: str) -> dict[str, int]:
    """导入写入的行 → 导入编号（报错时告诉用户先回滚哪一次）。"""
    df = lookup(
        con,
        "select c.key, c.import_id from import_created c join import_log l on l.id = c.import_id "
        "where c.table_name = $t and l.status in ('成功', '部分导入')",
        {"t": table},
    )
    return dict(zip(df["key"], df["import_id"]))


# ================================================================ 测评体系


def prepare_framework(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in KINDS["framework"].names if c not in ("分值", "生效日期")}
    for c in ("版本", "编号", "层级", "名称"):
        flag_required(ck, T[c], c)
    points, has_points = _numbers(ck, cols, "分值", n, required=True)
    ck.flag(has_points & (points < 0), "分值", points, "分值不能为负数")
    effective = dates(ck, cols, "生效日期", n, mapping, False)
    flag_bad_choice(ck, T["层级"], LEVELS, "层级")
    flag_bad_choice(ck, T["测评方法"], METHODS, "测评方法")
    flag_bad_choice(ck, T["适用范围"], SCOPES, "适用范围")
    code, level, method, edition = T["编号"], T["层级"], T["测评方法"], T["版本"]
    fmt_bad = code.notna().to_numpy() & ~code.fillna("").str.match(_NODE_CODE).to_numpy()
    ck.flag(fmt_bad, "编号", code, "编号应为 1、1.2、1.2.3 或 1.2.3.4 这样以点分隔的数字")
    depth = code.fillna("").str.count(r"\.").to_numpy() + 1
    want = np.array([LEVELS.index(v) + 1 if v in LEVELS else 0 for v in level])
    ck.flag(
        ~fmt_bad & code.notna().to_numpy() & (want > 0) & (depth != want),
        "层级",
        level,
        lambda v: f"与编号的段数不符：{v}的编号应有 {LEVELS.index(v) + 1} 段" if v in LEVELS else "与编号的段数不符",
    )
    is_std = (level == "测评标准").to_numpy()
    ck.flag(
        is_std & method.isna().to_numpy(),
        "测评方法",
        method,
        "测评标准必须填写测评方法（实地考察 / 网上申报 / 问卷调查）",
    )
    ck.flag(
        ~is_std & level.notna().to_numpy() & method.notna().to_numpy(),
        "测评方法",
        method,
        "只有测评标准填写测评方法，其他层级留空",
    )
    key = pd.Series([f"{e}{SEP}{c}" if e and c else None for e, c in zip(edition, code)], dtype=object)
    ck.flag((key.notna() & key.duplicated()).to_numpy(), "编号", code, "文件中同一版本的编号重复")
    have = lookup(con, "select edition, code, level, name, points, method from framework_node")
    have_key = {f"{e}{SEP}{c}": (lv, nm, p, m) for e, c, lv, nm, p, m in have.itertuples(index=False)}
    editions = lookup(con, "select edition, total_points from framework_edition")
    known_editions = set(editions["edition"])
    # 上级条目：文件中或库中同一版本里须有
    in_file = set(key.dropna())
    parent = pd.Series([c.rsplit(".", 1)[0] if c and "." in c else None for c in code], dtype=object)
    orphan = np.array(
        [
            p is not None and e is not None and f"{e}{SEP}{p}" not in in_file and f"{e}{SEP}{p}" not in have_key
            for e, p in zip(edition, parent)
        ],
        dtype=bool,
    )
    ck.flag(orphan & ~fmt_bad, "编号", code, lambda v: f"上级条目 {v.rsplit('.', 1)[0]} 在文件和库中都没有（同一版本）")
    # 类别、牵头单位、点位类型
    flag_unknown(ck, refs, T["问题类别"], refs.category, "问题类别", "问题类别")
    lead = resolve(ck, refs, T["牵头单位"], refs.unit, "牵头单位", "责任单位")
    site_types: list[list[str] | None] = []
    for i, v in enumerate(T["点位类型"]):
        names = split_names(v)
        for name in names:
            if not refs.site_type(name):
                ck.flag(row_mask(n, i), "点位类型", name, unknown_reason("点位类型", refs.create, refs.place))
        site_types.append(names or None)
    # 库中已有的同版本同编号：相同跳过，不同报错
    exists = np.zeros(n, dtype=bool)
    for i, k in enumerate(key):
        if k in have_key and not ck.bad[i]:
            lv, nm, p, m = have_key[k]
            if (
                lv == level.iat[i]
                and nm == T["名称"].iat[i]
                and _same_number(p, points[i])
                and (None if pd.isna(m) else m) == method.iat[i]
            ):
                exists[i] = True
            else:
                ck.flag(
                    row_mask(n, i),
                    "编号",
                    code.iat[i],
                    f"库中版本“{edition.iat[i]}”已有这个编号（{lv}“{nm}”，{p:g} 分），与文件不同；"
                    "测评体系按版本保存、不改写，修改请用新的版本号",
                )
    ok = ~ck.bad
    new = ok & ~exists
    prep.skipped = int((ok & exists).sum())
    # 提示（照常导入）：实地考察的测评标准没有点位类型或分值，丢分预警无从抽查、不计这一条
    field = new & is_std & (method == "实地考察").to_numpy()
    for i in np.flatnonzero(field & np.array([not t for t in site_types], dtype=bool)).tolist():
        ck.flag(
            row_mask(n, i),
            "点位类型",
            "",
            "实地考察的测评标准没有写点位类型：丢分预警不知道到哪类点位抽查，不计这一条",
            NOTE,
        )
    for i in np.flatnonzero(field & (points <= 0)).tolist():
        ck.flag(row_mask(n, i), "分值", points[i], "实地考察的测评标准分值为 0：丢分预警不计这一条", NOTE)
    nodes = pd.DataFrame(
        {
            "edition": edition,
            "code": code,
            "parent_code": parent,
            "level": level,
            "name": T["名称"],
            "points": points,
            "method": method,
            "site_types": site_types,
            "category": T["问题类别"],
            "lead_unit_code": lead,
            "sort_order": np.arange(1, n + 1),
        }
    )[new].reset_index(drop=True)
    # 版本：新版本新增一行；满分 = 各板块分值之和（库中已有的板块加文件中的）
    rows = []
    today = date.today()
    for ed in pd.unique(edition[new]):
        mine = new & (edition == ed).to_numpy()
        first = int(np.flatnonzero(mine)[0])
        board_pts = float(points[mine & (level == "板块").to_numpy()].sum())
        board_pts += float(have.loc[(have["edition"] == ed) & (have["level"] == "板块"), "points"].sum())
        if ed in known_editions:
            continue
        if board_pts <= 0:
            ck.flag(row_mask(n, first), "版本", ed, "新版本须包含至少一个分值大于 0 的板块")
            continue
        eff = effective[mine].dropna()
        if eff.empty:
            note(prep, "生效日期", ed, f"新版本没有填写生效日期，按导入当天 {today:%Y-%m-%d} 记")
        rows.append(
            {
                "edition": ed,
                "name": next((v for v in T["体系名称"][mine] if v), ed),
                "scope": next((v for v in T["适用范围"][mine] if v), "县级"),
                "effective_from": eff.min().date() if not eff.empty else today,
                "total_points": board_pts,
            }
        )
    if ck.bad[new].any():  # 上面又拒了行（版本没有板块）：重新筛
        keep = ~ck.bad[new]
        nodes = nodes[keep].reset_index(drop=True)
    prep.frames["framework_edition"] = pd.DataFrame(
        rows, columns=["edition", "name", "scope", "effective_from", "total_points"]
    )
    prep.frames["framework_node"] = nodes
    # 提示：下级分值之和与上级不符（不阻止导入：有的体系板块分值不等于各项之和）
    allnodes = pd.concat([have[["edition", "code", "level", "points"]], nodes[["edition", "code", "level", "points"]]])
    allnodes["parent"] = [c.rsplit(".", 1)[0] if "." in c else None for c in allnodes["code"]]
    sums = allnodes.dropna(subset=["parent"]).groupby(["edition", "parent"])["points"].sum()
    own = allnodes.set_index(["edition", "code"])["points"]
    touched = set(zip(nodes["edition"], nodes["parent_code"])) | set(zip(nodes["edition"], nodes["code"]))
    for (ed, p), s in sums.items():
        if (ed, p) in touched and (ed, p) in own.index and not _same_number(own[(ed, p)], s):
            note(prep, "分值", f"{ed} {p}", f"下级条目分值之和为 {s:g}，与该条目的分值 {own[(ed, p)]:g} 不同（仍导入）")


# ================================================================ 测评成绩


def _county_lookup(refs: Refs) -> dict[str, str]:
    reg = refs.regions
    counties = reg[reg.level == "县级"]
    by = {**dict(zip(counties["name"], counties["code"])), **dict(zip(counties["code"], counties["code"]))}
    return by


def _part_columns(table: readers.Table, mapping: Mapping) -> list[str]:
    used = {readers._clean_header(v) for v in mapping.columns.values()} | {
        readers._clean_header(v) for v in KINDS["scores"].names
    }
    return [c for c in table.columns if readers._clean_header(c) not in used and not c.startswith("（第")]


def _match_part(header: str, nodes: pd.DataFrame) -> str | None:
    """分项列名 → 板块/测评项目编号：编号、名称，或“1 基础工作”“1.2、xxx”这类编号加名称。"""
    h = readers._clean_header(header)
    if h in set(nodes["code"]):
        return h
    by_name = nodes.groupby("name")["code"].agg(list)
    if h in by_name.index and len(by_name[h]) == 1:
        return by_name[h][0]
    m = _HEADER_CODE.match(h)
    if m and m.group(1) in set(nodes["code"]):
        return m.group(1)
    return None


def prepare_scores(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("测评轮次", "单位", "轮次类型", "测评体系版本", "备注")}
    for c in ("测评轮次", "单位"):
        flag_required(ck, T[c], c)
    day = dates(ck, cols, "日期", n, mapping, False)
    total, has_total = _numbers(ck, cols, "总分", n)
    ck.flag(has_total & (total < 0), "总分", total, "总分不能为负数")
    flag_bad_choice(ck, T["轮次类型"], ROUND_TYPES, "轮次类型")
    editions = lookup(
        con, "select edition, effective_from, total_points from framework_edition order by effective_from"
    )
    ed_total = dict(zip(editions["edition"], editions["total_points"]))
    ed_known = set(editions["edition"])
    flag_unknown_editions(ck, T["测评体系版本"], ed_known)
    # 轮次：库中已有的按编号或名称；没有的在 --create-missing 时新增（同一轮次名只新增一次）
    new_rounds: dict[str, dict] = {}
    round_codes: list[str | None] = []
    for i, v in enumerate(T["测评轮次"]):
        if v is None:
            round_codes.append(None)
        elif v in refs.round_by_key:
            round_codes.append(refs.round_by_key[v])
        elif not refs.create:
            ck.flag(
                row_mask(n, i),
                "测评轮次",
                v,
                f"库中没有这个测评轮次；首次导入可{refs.place.switch} 按“日期”“轮次类型”新增",
            )
            round_codes.append(None)
        elif pd.isna(day.iat[i]):
            ck.flag(row_mask(n, i), "日期", "", f"新增测评轮次“{v}”需要填写日期")
            round_codes.append(None)
        else:
            d = day.iat[i].date()
            r = new_rounds.get(v)
            if r is None:
                ed = T["测评体系版本"].iat[i]
                if ed is None:  # 生效日期不晚于测评日期的最新版本；库中只有一个版本时就用它
                    ok = editions[pd.to_datetime(editions["effective_from"]).dt.date <= d]
                    ed = (
                        ok["edition"].iloc[-1]
                        if len(ok)
                        else editions["edition"].iloc[0]
                        if len(editions) == 1
                        else None
                    )
                r = new_rounds[v] = {
                    "code": v,
                    "name": v,
                    "round_type": T["轮次类型"].iat[i] or DEFAULT_ROUND_TYPE,
                    "level": "省",
                    "start_date": d,
                    "end_date": d,
                    "cycle": creation_cycle(d.year),
                    "year": d.year,
                    "edition": ed,
                    "is_ranked": True,
                }
            else:
                r["start_date"], r["end_date"] = min(r["start_date"], d), max(r["end_date"], d)
            round_codes.append(v)
    rnd = pd.Series(round_codes, dtype=object)
    round_edition = {**refs.round_edition, **{k: r["edition"] for k, r in new_rounds.items()}}
    edition = pd.Series([round_edition.get(r) if r else None for r in rnd], dtype=object)
    over = np.array(
        [h and e in ed_total and t > ed_total[e] + 1e-9 for h, e, t in zip(has_total, edition, total)], dtype=bool
    )
    ck.flag(over, "总分", total, "总分超过该轮测评体系的满分")
    # 单位：县级单位（排名组）
    by = _county_lookup(refs)
    region_codes: list[str | None] = []
    for i, v in enumerate(T["单位"]):
        if v is None:
            region_codes.append(None)
        elif v in by:
            region_codes.append(by[v])
        elif v in refs.new_counties:
            region_codes.append(refs.new_counties[v])
        elif refs.create:
            region_codes.append(refs.county(v))
        else:
            ck.flag(row_mask(n, i), "单位", v, unknown_reason("县级单位（排名组成员）", refs.create, refs.place))
            region_codes.append(None)
    region = pd.Series(region_codes, dtype=object)
    key = pd.Series([f"{r}{SEP}{g}" if r and g else None for r, g in zip(rnd, region)], dtype=object)
    ck.flag((key.notna() & key.duplicated()).to_numpy(), "单位", T["单位"], "文件中同一轮次同一单位出现了不止一行")
    # 分项得分列
    parts = _part_columns(prep.table, mapping)
    nodes = lookup(
        con, "select edition, code, name, level, points from framework_node where level in ('板块', '测评项目')"
    )
    part_rows = []
    rank_cols = []
    for col in parts:
        h = readers._clean_header(col)
        if is_rank_header(h):
            checked = is_published_rank(h)
            if checked:
                rank_cols.append(col)
            note(
                prep,
                col,
                "",
                "名次由总分推导（并列同名次），这一列不导入" + ("，只用来核对" if checked else ""),
                row="表头",
            )
            continue
        vals, has = _numbers(ck, {col: prep.table.data[col]}, col, n)
        if not has.any():
            continue
        for e in pd.unique(edition[has & edition.notna().to_numpy()]):
            node = _match_part(col, nodes[nodes["edition"] == e])
            rows = has & (edition == e).to_numpy()
            if node is None:
                ck.flag(
                    rows,
                    col,
                    vals,
                    f"列“{col}”不是测评体系“{e}”中的板块或测评项目（列名写编号或名称），无法作为分项得分导入",
                )
                continue
            cap = float(nodes.loc[(nodes["edition"] == e) & (nodes["code"] == node), "points"].iloc[0])
            ck.flag(rows & ((vals < 0) | (vals > cap + 1e-9)), col, vals, f"分项得分应在 0～{cap:g} 之间")
            for i in np.flatnonzero(rows).tolist():
                part_rows.append((i, e, node, vals[i]))
        no_ed = has & edition.isna().to_numpy() & rnd.notna().to_numpy()
        ck.flag(no_ed, col, vals, "该轮次没有测评体系版本，无法导入分项得分（请先导入测评体系，或填写“测评体系版本”）")
    # 库中已有：相同跳过，不同报错
    have = lookup(con, "select round_code, region_code, total from score")
    have_total = {f"{r}{SEP}{g}": t for r, g, t in have.itertuples(index=False)}
    have_parts = lookup(con, "select round_code, region_code, edition, node_code, score from score_part")
    have_part = {f"{r}{SEP}{g}{SEP}{e}{SEP}{c}": s for r, g, e, c, s in have_parts.itertuples(index=False)}
    who = _imported_by(con, lookup, "score")
    exists = np.zeros(n, dtype=bool)
    for i, k in enumerate(key):
        if k in have_total and not ck.bad[i]:
            old = have_total[k]
            if _same_number(old, total[i] if has_total[i] else None):
                exists[i] = True
            else:
                hint = f"请先回滚导入编号 {who[k]}" if k in who else "如需更正请联系管理员"
                ck.flag(
                    row_mask(n, i),
                    "总分",
                    total[i] if has_total[i] else "",
                    f"库中已有{T['单位'].iat[i]}在该轮的成绩（{'缺测' if old is None or pd.isna(old) else f'{old:g}'}），"
                    f"与文件不同；成绩不改写，{hint}后再导入",
                )
    parts_df = []
    for i, e, node, v in part_rows:
        if ck.bad[i]:
            continue
        pk = f"{key.iat[i]}{SEP}{e}{SEP}{node}"
        if pk in have_part:
            if not _same_number(have_part[pk], v):
                ck.flag(row_mask(n, i), node, v, f"库中已有该分项得分 {have_part[pk]:g}，与文件不同；成绩不改写")
            continue
        parts_df.append(
            {
                "round_code": rnd.iat[i],
                "region_code": region.iat[i],
                "edition": e,
                "node_code": node,
                "score": v,
                "_row": i,
            }
        )
    for col in rank_cols:
        _check_published_ranks(con, prep, col, rnd, region, np.where(has_total, total, np.nan), ~ck.bad)
    ok = ~ck.bad
    new = ok & ~exists
    prep.frames["score"] = pd.DataFrame(
        {"round_code": rnd, "region_code": region, "total": np.where(has_total, total, np.nan), "note": T["备注"]}
    )[new].reset_index(drop=True)
    sp = pd.DataFrame(parts_df, columns=["round_code", "region_code", "edition", "node_code", "score", "_row"])
    sp = sp[ok[sp["_row"].to_numpy(int)]] if len(sp) else sp
    adds_part = np.zeros(n, dtype=bool)
    adds_part[sp["_row"].to_numpy(int)] = True
    prep.frames["score_part"] = sp.drop(columns="_row").reset_index(drop=True)
    prep.skipped = int((ok & exists & ~adds_part).sum())
    used_rounds = set(prep.frames["score"]["round_code"]) | set(prep.frames["score_part"]["round_code"])
    used_regions = set(region[ok])  # 只新增被通过校验的行用到的县级单位（部分导入时被拒行的单位不留下）
    refs.new_counties = {k: v for k, v in refs.new_counties.items() if v in used_regions}
    prep.frames["round"] = pd.DataFrame(
        [r for k, r in new_rounds.items() if k in used_rounds],
        columns=[
            "code",
            "name",
            "round_type",
            "level",
            "start_date",
            "end_date",
            "cycle",
            "year",
            "edition",
            "is_ranked",
        ],
    )
    if not refs.our_code and len(prep.frames["score"]):
        note(
            prep,
            "单位",
            "",
            "库中还没有指定本县：排名趋势页以本县为主线，导入后请在看板顶部选定本县"
            "（或 chuangwen settings set our_code 本县名称或编码）",
        )
    if new_rounds and len(prep.frames["round"]):
        for r in prep.frames["round"].itertuples(index=False):
            note(
                prep,
                "测评轮次",
                r.code,
                f"库中没有，{refs.place.created}（{r.round_type}，{r.start_date:%Y-%m-%d}，"
                f"测评体系 {r.edition or '未定'}）",
            )


# ================================================================ 扣分明细


def prepare_deductions(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None = None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("测评轮次", "测评标准编号", "扣分原因", "点位名称", "责任单位")}
    for c in ("测评轮次", "测评标准编号", "扣分原因"):
        flag_required(ck, T[c], c)
    pts, has = _numbers(ck, cols, "扣分", n, required=True)
    pts = np.abs(pts)
    ck.flag(has & (pts == 0), "扣分", pts, "扣分应大于 0")
    rnd = pd.Series([refs.round_by_key.get(v) if v else None for v in T["测评轮次"]], dtype=object)
    ck.flag(
        T["测评轮次"].notna().to_numpy() & rnd.isna().to_numpy(),
        "测评轮次",
        T["测评轮次"],
        "库中没有这个测评轮次（请先导入测评成绩）",
    )
    edition = pd.Series([refs.round_edition.get(r) if r else None for r in rnd], dtype=object)
    ck.flag(
        rnd.notna().to_numpy() & edition.isna().to_numpy(),
        "测评轮次",
        T["测评轮次"],
        "该轮次没有测评体系版本，无法对照测评标准",
    )
    std = lookup(con, "select edition, code, points from framework_node where level = '测评标准'")
    cap = {(e, c): p for e, c, p in std.itertuples(index=False)}
    code = T["测评标准编号"]
    unknown = np.array(
        [e is not None and c is not None and (e, c) not in cap for e, c in zip(edition, code)], dtype=bool
    )
    ck.flag(unknown, "测评标准编号", code, "该轮所用测评体系中没有这条测评标准")
    site = pd.Series([refs.site_by_name.get(v) if v else None for v in T["点位名称"]], dtype=object)
    ck.flag(
        T["点位名称"].notna().to_numpy() & site.isna().to_numpy(),
        "点位名称",
        T["点位名称"],
        "库中没有这个点位（请先导入点位）",
    )
    units: list[list[str]] = []
    for i, v in enumerate(T["责任单位"]):
        got = []
        for name in split_names(v):
            u = refs.unit(name)
            if u is None:
                ck.flag(row_mask(n, i), "责任单位", name, unknown_reason("责任单位", refs.create, refs.place))
            elif u not in got:
                got.append(u)
        units.append(got)
    sig = pd.Series(
        [
            f"{r}{SEP}{c}{SEP}{p:g}{SEP}{why}{SEP}{s or ''}" if r and c and h else None
            for r, c, p, h, why, s in zip(rnd, code, pts, has, T["扣分原因"], site)
        ],
        dtype=object,
    )
    ck.flag((sig.notna() & sig.duplicated()).to_numpy(), "扣分原因", T["扣分原因"], "文件中完全相同的扣分重复出现")
    have = lookup(con, "select round_code, edition, standard_code, points, reason, site_code from deduction")
    have_sig = {
        f"{r}{SEP}{c}{SEP}{p:g}{SEP}{why}{SEP}{'' if pd.isna(s) else s}"
        for r, e, c, p, why, s in have.itertuples(index=False)
    }
    exists = np.array([s in have_sig for s in sig], dtype=bool)
    # 同轮同标准扣分合计不超过标准分值
    used = have.groupby(["round_code", "edition", "standard_code"])["points"].sum().to_dict()
    ok = ~ck.bad
    new = ok & ~exists
    add = pd.DataFrame({"r": rnd, "e": edition, "c": code, "p": pts})[new].groupby(["r", "e", "c"])["p"].sum()
    for (r, e, c), p in add.items():
        total = p + used.get((r, e, c), 0.0)
        if total > cap[(e, c)] + 1e-9:
            m = new & (rnd == r).to_numpy() & (code == c).to_numpy()
            ck.flag(m, "扣分", pts, f"同一轮次测评标准 {c} 的扣分合计 {total:g} 超过该标准的分值 {cap[(e, c)]:g}")
    ok = ~ck.bad
    new = ok & ~exists
    prep.skipped = int((ok & exists).sum())
    idx = np.flatnonzero(new)
    prep.frames["deduction"] = pd.DataFrame(
        {
            "round_code": rnd.to_numpy(object)[idx],
            "edition": edition.to_numpy(object)[idx],
            "standard_code": code.to_numpy(object)[idx],
            "points": pts[idx],
            "reason": T["扣分原因"].to_numpy(object)[idx],
            "site_code": site.to_numpy(object)[idx],
        }
    )
    # 责任单位分摊：写入时按分配到的扣分编号展开（write 负责取序列号）
    prep.frames["deduction_unit"] = pd.DataFrame(
        [(k, u, 1.0 / len(units[i])) for k, i in enumerate(idx) for u in units[i]],
        columns=["_deduction_row", "unit_code", "share"],
    )


PREPARERS = {"framework": prepare_framework, "scores": prepare_scores, "deductions": prepare_deductions}
