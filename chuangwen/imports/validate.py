"""逐行校验并把源表变成“将要写入的行”。不写库：只读参考表（单位、镇街、类别、轮次、体系、已有问题）。

问题台账、整改记录、责任单位、点位的逐行规则在这里；测评类（体系、成绩、扣分）在 assessment；共用的部件在 checks。
各种的规则登记在 PREPARERS（种类 → 函数），prepare 按种类取用。

结果 Prepared：要写入的问题/事件/单位等 DataFrame、要新增的参考数据（--create-missing）、逐条问题（Issue）。
报告中的每条问题写明 文件、工作表、行、列、值、原因；“错误”阻止导入（整批模式）或使该行被拒（部分导入），
“提示”只告知（例如已有问题的字段与库中不同、未改写）。
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from chuangwen import geo
from chuangwen.imports import assessment, loss_inputs, readers, sites
from chuangwen.imports.checks import (
    CLI,
    NOTE,
    Checker,
    Place,
    Prepared,
    Refs,
    dates,
    flag_bad_choice,
    flag_required,
    flag_unknown,
    lookup,
    note,
    resolve,
    resolve_crs,
    row_mask,
    source_columns,
    split_names,
    texts,
    unknown_reason,
)
from chuangwen.imports.kinds import KINDS, SEVERITIES, SOURCES, UNIT_TYPES
from chuangwen.imports.mapping import Mapping
from chuangwen.vocabulary import (
    ACTIONS,
    ASSIGN,
    ASSIGNED,
    CLOSE_REQUESTED,
    CLOSED,
    IN_PROGRESS,
    PENDING,
    REOPENED,
    RETURN,
    RETURNED,
    STATUSES,
)

STATUS_EVENTS = {
    PENDING: [],
    ASSIGNED: [(ASSIGN, "found")],
    IN_PROGRESS: [(ASSIGN, "found"), (IN_PROGRESS, "found")],
    CLOSE_REQUESTED: [(ASSIGN, "found"), (CLOSE_REQUESTED, "found")],
    CLOSED: [(ASSIGN, "found"), (CLOSED, "closed")],
    RETURNED: [(ASSIGN, "found"), (RETURN, "found")],
    REOPENED: [(ASSIGN, "found"), (REOPENED, "found")],
}


def prepare(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    table: readers.Table,
    mapping: Mapping,
    *,
    crs: str | None = None,
    create_missing: bool = False,
    chosen: dict[str, str] | None = None,
    place: Place = CLI,
) -> Prepared:
    """校验一张表；不写库。chosen：库的设置（statedb.office_settings），本县按它与看板同一规则决定；
    place：用户在命令行还是数据管理页（报告里的建议指向那里的参数或控件）。"""
    if kind not in KINDS:
        raise ValueError(f"不认识的导入种类“{kind}”")
    cols, header_problems = source_columns(table, mapping, kind, place)
    n = len(table.data)
    prep = Prepared(kind, table, n)
    if header_problems:
        prep.issues = header_problems
        prep.rejected = np.ones(n, dtype=bool)
        return prep
    ck = Checker(table, n, cols, place)
    refs = Refs(con, create_missing, chosen, place)
    PREPARERS[kind](con, prep, ck, refs, cols, mapping, crs or mapping.crs)
    prep.issues = ck.issues + prep.issues
    prep.rejected = ck.bad
    prep.created = refs.created_frames()
    if prep.created:
        for table_name, df in prep.created.items():
            label = {
                "region": "地区",
                "problem_category": "问题类别",
                "unit": "责任单位",
                "site_type": "点位类型",
                "site": "点位",
            }[table_name]
            codes = df["code"] if "code" in df else [None] * len(df)
            for name, code in zip(df["name"], codes):
                note(prep, label, name, f"库中没有，{refs.place.created}" + (f"（编码 {code}）" if code else ""))
    return prep


def _prepare_problems(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None,
) -> None:
    n = prep.rows_total
    T = {
        c: texts(cols, c, n, mapping)
        for c in KINDS["problems"].names
        if c not in ("发现时间", "整改期限", "销号时间", "经度", "纬度")
    }
    code = T["问题编号"]
    for c in ("问题编号", "来源", "问题类别", "问题描述", "严重程度", "牵头单位"):
        flag_required(ck, T[c], c)
    found = dates(ck, cols, "发现时间", n, mapping, True)
    deadline = dates(ck, cols, "整改期限", n, mapping, False)
    closed = dates(ck, cols, "销号时间", n, mapping, False)
    ck.flag((deadline < found).to_numpy(), "整改期限", deadline.astype(str), "整改期限早于发现时间")
    ck.flag((closed < found).to_numpy(), "销号时间", closed.astype(str), "销号时间早于发现时间")
    # 与前面某行完全相同的行（重复导出的记录）：跳过并计数；问题编号相同而内容不同：报错，写明与哪一行冲突
    exact = prep.table.data.reset_index(drop=True).duplicated(keep="first").to_numpy()
    rownum = readers.row_numbers(prep.table)
    first_at: dict[str, int] = {}
    for i, c in enumerate(code):
        if c is None or exact[i]:
            continue
        if c in first_at:
            ck.flag(
                row_mask(n, i),
                "问题编号",
                c,
                f"与第 {int(rownum[first_at[c]])} 行问题编号相同但内容不同；同一问题只能有一行（请核对哪一行是对的）",
            )
        else:
            first_at[c] = i
    if exact.any():
        shown = "、".join(str(int(r)) for r in rownum[exact][:20]) + ("……" if exact.sum() > 20 else "")
        note(
            prep,
            "",
            int(exact.sum()),
            f"{int(exact.sum()):,} 行与前面的某一行完全相同（如重复导出的记录），已跳过：第 {shown} 行",
        )
    flag_bad_choice(ck, T["来源"], SOURCES, "来源")
    flag_bad_choice(ck, T["严重程度"], SEVERITIES, "严重程度")
    status = T["整改状态"].copy()
    status = status.where(status.notna(), np.where(closed.notna(), CLOSED, ASSIGNED))
    flag_bad_choice(ck, status, STATUSES, "整改状态")
    ck.flag(
        (status == CLOSED).to_numpy() & closed.isna().to_numpy(),
        "销号时间",
        closed.astype(str),
        "整改状态为已销号时必须填写销号时间",
    )
    # 参考数据
    cat = T["问题类别"]
    flag_unknown(ck, refs, cat, refs.category, "问题类别", "问题类别")
    lead = resolve(ck, refs, T["牵头单位"], refs.unit, "牵头单位", "责任单位")
    coop_rows = []
    for i, v in enumerate(T["配合单位"]):
        if v is None:
            continue
        for name in split_names(v):
            u = refs.unit(name)
            if u is None:
                ck.flag(
                    row_mask(n, i),
                    "配合单位",
                    name,
                    unknown_reason("责任单位", refs.create, refs.place),
                )
            elif u != lead[i]:
                coop_rows.append((i, u))
    town = resolve(ck, refs, T["镇街"], refs.township, "镇街", "镇街")
    rnd = pd.Series([refs.round_by_key.get(v) if v else None for v in T["测评轮次"]], dtype=object)
    ck.flag(
        T["测评轮次"].notna().to_numpy() & rnd.isna().to_numpy(),
        "测评轮次",
        T["测评轮次"],
        "库中没有这个测评轮次（请先导入测评成绩或在库中建立轮次）",
    )
    edition = pd.Series(
        [
            refs.round_edition.get(r) or refs.meta.get("current_edition") if s else None
            for r, s in zip(rnd, T["测评标准编号"])
        ],
        dtype=object,
    )
    std_ok = np.array([s is None or (e, s) in refs.standards for e, s in zip(edition, T["测评标准编号"])])
    ck.flag(~std_ok, "测评标准编号", T["测评标准编号"], "测评体系中没有这条测评标准（或无法确定测评体系版本）")
    # 坐标：换算到 WGS-84；有边界时须在本县内，未填镇街的按边界判定
    lon_a, lat_a, wlon, wlat, crs_src, has_xy = _coordinates(ck, cols, n, T["坐标系"], crs, refs)
    if refs.township_geoms:
        hit = geo.locate(wlon, wlat, [g for _, g in refs.township_geoms])
        codes = np.array([c for c, _ in refs.township_geoms] + [None], dtype=object)
        by_geom = codes[np.where(hit >= 0, hit, len(codes) - 1)]
        town = town.where(town.notna(), pd.Series(by_geom, dtype=object))
    site = pd.Series([refs.site_by_name.get(v) if v else None for v in T["点位名称"]], dtype=object)
    if refs.create:
        site = site.where(
            site.notna(),
            pd.Series(
                sites.create_from_rows(
                    ck, refs, T["点位名称"], T["点位类型"], town, site, lon_a, lat_a, wlon, wlat, crs_src, has_xy
                ),
                dtype=object,
            ),
        )
    ck.flag(
        T["点位名称"].notna().to_numpy() & site.isna().to_numpy() & ~ck.bad,
        "点位名称",
        T["点位名称"],
        f"库中没有这个点位（请先导入点位；或{refs.place.switch} 按名称、坐标与点位类型新增）",
    )
    comm = pd.Series([refs.community(t, v) for t, v in zip(town, T["社区"])], dtype=object)
    ck.flag(
        T["社区"].notna().to_numpy() & comm.isna().to_numpy(),
        "社区",
        T["社区"],
        "无法确定社区：需要已知的镇街，且社区在该镇街下" + ("" if refs.create else f"（或{refs.place.switch}）"),
    )
    df = pd.DataFrame(
        {
            "code": code,
            "found_at": found,
            "source": T["来源"],
            "round_code": rnd,
            "edition": edition.where(T["测评标准编号"].notna(), None),
            "standard_code": T["测评标准编号"],
            "category": cat,
            "site_code": site,
            "township_code": town.where(
                town.notna(), pd.Series([refs.site_township.get(s) for s in site], dtype=object)
            ),
            "community_code": comm,
            "lon": np.where(has_xy, wlon, np.nan),
            "lat": np.where(has_xy, wlat, np.nan),
            "crs_source": np.where(has_xy, crs_src, None),
            "lon_source": np.where(has_xy, lon_a, np.nan),
            "lat_source": np.where(has_xy, lat_a, np.nan),
            "description": T["问题描述"],
            "severity": T["严重程度"],
            "lead_unit_code": lead,
            "deadline": deadline,
        }
    )
    # 已有问题：不改写；状态变化只追加事件；其余字段不同则提示
    # 只取文件里出现的编号：百万条的库上不必为 30 行的文件回放全部问题的状态
    existing = lookup(
        con,
        "select p.code, p.found_at, p.deadline, p.category, p.lead_unit_code, p.description, s.status, s.last_event_at "
        "from (select * from problem where code in (select unnest($codes::varchar[]))) p "
        "left join problem_state_as_of(timestamp '9999-12-31') s on s.problem_code = p.code",
        {"codes": sorted({c for c in code if c is not None})},
    )
    ex = existing.set_index("code")
    is_old = df["code"].isin(ex.index).to_numpy()
    ok = ~ck.bad & ~exact
    new = ok & ~is_old
    codes_a = df["code"].to_numpy(dtype=object)
    status_a, lead_a = status.to_numpy(dtype=object), lead.to_numpy(dtype=object)
    old_events = []  # (problem_code, event_at, action, unit)：已有问题的状态变化
    changed_rows = 0
    for i in np.flatnonzero(ok & is_old).tolist():
        st, old = status_a[i], ex.loc[codes_a[i]]
        changed = [
            lab
            for lab, col in (
                ("发现时间", "found_at"),
                ("整改期限", "deadline"),
                ("问题类别", "category"),
                ("牵头单位", "lead_unit_code"),
                ("问题描述", "description"),
            )
            if not _same(old[col], df[col].iat[i])
        ]
        if changed:
            ck.flag(
                row_mask(n, i),
                "、".join(changed),
                codes_a[i],
                "库中已有这条问题且这些字段不同：原记录保留不改写（历史不覆盖）；如需更正请联系管理员",
                NOTE,
            )
        if st != old["status"] and st != PENDING:
            last = pd.Timestamp(old["last_event_at"]) if pd.notna(old["last_event_at"]) else found.iat[i]
            at = closed.iat[i] if st == CLOSED else max(last, found.iat[i])
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
                steps.append(
                    pd.DataFrame(
                        {
                            "problem_code": codes_a[m],
                            "event_at": (found if when == "found" else closed)[m].to_numpy(),
                            "action": action,
                            "unit_code": lead_a[m],
                        }
                    )
                )
    if old_events:
        steps.append(pd.DataFrame(old_events, columns=["problem_code", "event_at", "action", "unit_code"]))
    events = (
        pd.concat(steps, ignore_index=True)
        if steps
        else pd.DataFrame(columns=["problem_code", "event_at", "action", "unit_code"])
    )
    prep.skipped = int((ok & is_old).sum()) - changed_rows + int((exact & ~ck.bad).sum())
    # 只新增真会写入的问题用到的点位（被拒的行、库里已有的问题引用的新点位不留下）
    used_sites = set(df["site_code"][new].dropna())
    refs.new_sites[:] = [s for s in refs.new_sites if s["code"] in used_sites]
    prep.frames["problem"] = df[new].reset_index(drop=True)
    coop = pd.DataFrame(
        [(codes_a[i], u) for i, u in coop_rows if new[i]], columns=["problem_code", "unit_code"]
    ).drop_duplicates()
    prep.frames["problem_coop_unit"] = coop
    prep.frames["rectify_event"] = events.assign(note=None)


def _same(a: object, b: object) -> bool:
    if (a is None or (not isinstance(a, str) and pd.isna(a))) and (
        b is None or (not isinstance(b, str) and pd.isna(b))
    ):
        return True
    try:
        return a == b or pd.Timestamp(a) == pd.Timestamp(b)
    except (ValueError, TypeError):
        return False


def _prepare_events(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("问题编号", "动作", "操作单位", "说明")}
    for c in ("问题编号", "动作"):
        flag_required(ck, T[c], c)
    at = dates(ck, cols, "时间", n, mapping, True)
    flag_bad_choice(ck, T["动作"], ACTIONS, "动作")
    probs = lookup(con, "select code, found_at from problem")
    found = dict(zip(probs["code"], probs["found_at"]))
    known = T["问题编号"].isin(list(found)).to_numpy()
    ck.flag(
        T["问题编号"].notna().to_numpy() & ~known, "问题编号", T["问题编号"], "库中没有这条问题（请先导入问题台账）"
    )
    before = np.array([k and pd.notna(a) and a < found[c] for k, a, c in zip(known, at, T["问题编号"])], dtype=bool)
    ck.flag(before, "时间", at.astype(str), "整改事件早于问题的发现时间")
    unit = resolve(ck, refs, T["操作单位"], refs.unit, "操作单位", "责任单位")
    df = pd.DataFrame(
        {"problem_code": T["问题编号"], "event_at": at, "action": T["动作"], "unit_code": unit, "note": T["说明"]}
    )
    ok = ~ck.bad
    have = lookup(con, "select problem_code, event_at, action from rectify_event")
    keys = set(zip(have["problem_code"], pd.to_datetime(have["event_at"]), have["action"]))
    seen = np.array(
        [(c, pd.Timestamp(a), x) in keys for c, a, x in zip(df["problem_code"], df["event_at"], df["action"])],
        dtype=bool,
    )
    dup_in_file = df.duplicated(["problem_code", "event_at", "action"]).to_numpy()
    keep = ok & ~seen & ~dup_in_file
    prep.skipped = int((ok & ~keep).sum())
    prep.frames["rectify_event"] = df[keep].reset_index(drop=True)


def _flag_code_taken(
    ck: Checker,
    code: pd.Series,
    name: pd.Series,
    codes: Collection[str],
    by_name: Collection[str],
    column: str,
    what: str,
) -> None:
    """文件里写的编码已被库中另一个（名称不同的）单位或点位使用：报错。"""
    taken = code.notna() & code.isin(list(codes)) & ~name.isin(list(by_name))
    ck.flag(taken.to_numpy(), column, code, f"{column}已被库中另一个{what}使用")


def _new_with_codes(
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    code: pd.Series,
    name: pd.Series,
    codes: Collection[str],
    by_name: Collection[str],
    prefix: str,
) -> tuple[np.ndarray, list[str]]:
    """要新增的行（没有错、库中没有这个名称）与它们的编码：文件写了的照用，没写的按 prefix 顺次编号；
    库中已有的（按名称）跳过，记入 prep.skipped。单位与点位共用。"""
    ok = ~ck.bad
    exists = name.isin(list(by_name)).to_numpy()
    new = ok & ~exists
    out, taken = [], set(codes)
    for c in code[new]:
        if c is None:
            c = refs._next_code(prefix, taken, 0)
        taken.add(c)
        out.append(c)
    prep.skipped = int((ok & exists).sum())
    return new, out


def _prepare_units(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in KINDS["units"].names}
    for c in ("单位名称", "条块", "单位类型"):
        flag_required(ck, T[c], c)
    flag_bad_choice(ck, T["条块"], ("条", "块"), "条块")
    flag_bad_choice(ck, T["单位类型"], UNIT_TYPES, "单位类型")
    dup = T["单位名称"].notna() & T["单位名称"].duplicated()
    ck.flag(dup.to_numpy(), "单位名称", T["单位名称"], "文件中重复的单位名称")
    kuai = (T["条块"] == "块").to_numpy()
    ck.flag(kuai & T["所属镇街"].isna().to_numpy(), "所属镇街", T["所属镇街"], "“块”单位必须填写所属镇街")
    town = pd.Series([refs.township(v) if k else None for v, k in zip(T["所属镇街"], kuai)], dtype=object)
    ck.flag(
        kuai & T["所属镇街"].notna().to_numpy() & town.isna().to_numpy(),
        "所属镇街",
        T["所属镇街"],
        unknown_reason("镇街", refs.create, refs.place),
    )
    _flag_code_taken(ck, T["单位编码"], T["单位名称"], refs.unit_codes, refs.unit_by_name, "单位编码", "单位")
    new, codes = _new_with_codes(
        prep, ck, refs, T["单位编码"], T["单位名称"], refs.unit_codes, refs.unit_by_name, "IMPU"
    )
    prep.frames["unit"] = pd.DataFrame(
        {
            "code": codes,
            "name": T["单位名称"][new].to_numpy(),
            "kind": T["条块"][new].to_numpy(),
            "unit_type": T["单位类型"][new].to_numpy(),
            "region_code": town[new].to_numpy(),
        }
    )


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
    crs_src, bad_crs = resolve_crs(text_crs, default_crs)
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
        outside = has_xy & ~inside
        if outside.any():
            edge = shapely.union_all(shapes).boundary
            for i in np.flatnonzero(outside).tolist():
                near = shapely.ops.nearest_points(edge, shapely.Point(wlon[i], wlat[i]))[0]
                km = float(geo.distance_m(wlon[i], wlat[i], near.x, near.y)) / 1000
                ck.flag(
                    row_mask(n, i),
                    "经度",
                    f"{lon_a[i]}, {lat_a[i]}",
                    f"坐标（换算到 WGS-84 后）不在本县边界内，离县界约 {km:,.1f} 公里",
                )
        has_xy &= ~ck.bad
    return lon_a, lat_a, wlon, wlat, crs_src, has_xy


def _prepare_sites(
    con: duckdb.DuckDBPyConnection,
    prep: Prepared,
    ck: Checker,
    refs: Refs,
    cols: dict[str, pd.Series],
    mapping: Mapping,
    crs: str | None,
) -> None:
    n = prep.rows_total
    T = {c: texts(cols, c, n, mapping) for c in ("点位名称", "点位编码", "点位类型", "镇街", "社区", "地址", "坐标系")}
    for c in ("点位名称", "点位类型", "镇街"):
        flag_required(ck, T[c], c)
    dup = T["点位名称"].notna() & T["点位名称"].duplicated()
    ck.flag(dup.to_numpy(), "点位名称", T["点位名称"], "文件中重复的点位名称")
    flag_unknown(ck, refs, T["点位类型"], refs.site_type, "点位类型", "点位类型")
    town = resolve(ck, refs, T["镇街"], refs.township, "镇街", "镇街")
    comm = pd.Series([refs.community(t, v) for t, v in zip(town, T["社区"])], dtype=object)
    ck.flag(
        T["社区"].notna().to_numpy() & comm.isna().to_numpy(),
        "社区",
        T["社区"],
        "无法确定社区：需要已知的镇街" + ("" if refs.create else f"（或{refs.place.switch}）"),
    )
    _flag_code_taken(ck, T["点位编码"], T["点位名称"], refs.site_codes, refs.site_by_name, "点位编码", "点位")
    lon_a, lat_a, wlon, wlat, crs_src, has_xy = _coordinates(ck, cols, n, T["坐标系"], crs, refs)
    new, codes = _new_with_codes(
        prep, ck, refs, T["点位编码"], T["点位名称"], refs.site_codes, refs.site_by_name, "IMPS"
    )
    prep.frames["site"] = pd.DataFrame(
        {
            "code": codes,
            "name": T["点位名称"][new].to_numpy(),
            "site_type": T["点位类型"][new].to_numpy(),
            "township_code": town[new].to_numpy(),
            "community_code": comm[new].to_numpy(),
            "address": T["地址"][new].to_numpy(),
            "lon": np.where(has_xy, wlon, np.nan)[new],
            "lat": np.where(has_xy, wlat, np.nan)[new],
            "crs_source": np.where(has_xy, crs_src, "WGS84")[new],
            "lon_source": np.where(has_xy, lon_a, np.nan)[new],
            "lat_source": np.where(has_xy, lat_a, np.nan)[new],
        }
    )


# 每种导入的逐行规则：(con, prep, ck, refs, cols, mapping, crs) → 填 prep 与 ck。测评类的三种在 assessment 里，
# 丢分预警的三份输入（抽样方案、扣分方式、类别对照）在 loss_inputs 里
PREPARERS = {
    "problems": _prepare_problems,
    "events": _prepare_events,
    "units": _prepare_units,
    "sites": _prepare_sites,
    **assessment.PREPARERS,
    **loss_inputs.PREPARERS,
}
