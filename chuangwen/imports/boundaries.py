"""镇街边界导入：GeoJSON 或压缩的 Shapefile（.zip），指定名称字段，换算到 WGS-84，按版本保存（不覆盖旧版本）。

- 读文件（read_features）与表格一样不可信：GDAL 会按文件内容自己挑驱动，一个改名为 .geojson 的 OGR VRT
  能让它读服务器上的任意文件、向任意地址发 HTTP 请求。所以读之前在本进程里只做字节级检查（GeoJSON 的开头、
  压缩包的目录），再在与表格相同的限了内存与时间的子进程里（readers._serve / readers._run_isolated）用
  文件类型对应的唯一一个驱动解析：GeoJSON 只用 GeoJSON 驱动，.zip 里的 .shp 只用 ESRI Shapefile 驱动（其余驱动
  连同 VRT 一律注销），GDAL 的网络访问关掉。要素数、坐标点数、解压后大小都有上限；自相交等无效的面拒绝导入。
- 名称与库中镇街（或本县）对上：新增一个版本（valid_from 为生效日期）；与最新版本完全相同的跳过（幂等）。
  生效日期取自数据，从不取系统时钟：导入时指定的（--valid-from、数据管理页的日期），否则文件写明的
  （各要素的“生效日期”“版本日期”或 valid_from 字段，须相同），否则——某个镇街的第一版——数据的第一天
  （最早的发现、整改或测评开始日，库里还没有数据时为 EARLIEST），使过去的每个统计区间都画得出地图；
  已有边界的镇街的新一版没有日期时拒绝导入并说明（看不出过去的问题该按哪一版归属）。
- 库中没有的镇街：加 --create-missing 时新增（挂在本县下），否则报错。
- 已有问题与点位按各镇街最新版本的边界重新归属（与写入边界同一事务）：有坐标、落在某个镇街内、且与现归属不同的，
  改写镇街；原社区不属于新镇街时清空社区。没有坐标、落在所有镇街之外的保持原归属。
  边界重叠处以生效日期较新的版本为准，同样新时（含落在公共边线上）保持原镇街。
  每条改动记入 region_reassignment（原镇街、原社区），回滚这次导入时按此恢复。
- 写入前先做合理性检查（force=True / --force 跳过）：新边界与本县现有范围（最新的县级边界；没有时用各镇街最新边界的合集）
  比对，大半落在县外、比全县还大、几乎盖住全县、镇街之间大面积重叠的拒绝导入；同时试算会重新归属多少问题与点位，
  拒绝与成功的说明里都写明。库中还没有任何边界时无从比较，只查镇街之间的重叠。
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from chuangwen import db, geo, osuser, queries, statedb, store
from chuangwen.imports import checks, readers
from chuangwen.imports.boundary_files import (
    _FIX_HINT,
    MAX_REPORT_ROWS,
    invalid_reason,
    name_fields,
    read_features,
)
from chuangwen.imports.write import (
    ImportFailed,
    ImportResult,
    _insert,
    archive_dir,
    archive_raw,
    record_created,
    sha256,
)

NAME_CANDIDATES = ("镇街", "名称", "name", "NAME", "Name", "XZMC", "乡镇名称", "township")

# 合理性检查的阈值（拒绝说明里写明；--force 跳过）。面积一律按等积投影算（geo.area_km2），不用经纬度“平方度”。
# 重新测绘、边线微调只让镇街边缘进出县界几个百分点；一半以上落在县外，多半是坐标系或文件选错了
OUTSIDE_MAX_SHARE = 0.5
# 不同来源的边界（简化程度、测绘精度不同）面积差几个百分点是常事，小县外沿挪几百米面积就差 5% 上下；
# 比全县大一成以上、或一个镇街盖住全县九成以上（本县还有别的镇街时）就不是误差
AREA_TOLERANCE = 0.1
# 相邻镇街分别测绘时公共边线对不齐，重叠一般只占较小者的百分之几；两成以上就是同一块地画给了两个镇街
OVERLAP_MAX_SHARE = 0.2
# 没有县级边界、已有镇街边界又不全时，首次有边界的镇街本就在已知范围之外，只能看它离已知镇街多远：
# 同一个县的镇街相距上百公里几乎不可能，另一个省、另一个洲更远
FAR_KM = 100
# 拒绝说明里最多逐条列出的问题数
MAX_LISTED = 10

# 文件写明生效日期的字段（各要素须相同）
DATE_FIELDS = ("生效日期", "版本日期", "valid_from")
# 库里还没有任何数据时，首版边界从这天起生效（对之后导入的任何日期都有效）
EARLIEST = date(1900, 1, 1)


def stated_date(gdf: pd.DataFrame, file_name: str) -> tuple[date | None, str | None]:
    """文件写明的生效日期与字段名；没有这样的字段或都为空时 (None, None)。写得不是日期、各要素不同时抛 ImportFailed。"""
    field = next((c for c in DATE_FIELDS if c in gdf.columns), None)
    if field is None:
        return None, None
    seen: dict[date, int] = {}
    for k, value in enumerate(gdf[field], start=1):
        text = readers.cell_text(value)
        if text is None:
            continue
        try:
            day = pd.Timestamp(text).date()
        except (ValueError, TypeError, OverflowError):
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise ImportFailed(
                f"{file_name}：第 {k} 个要素的“{field}”不是日期（“{shown}”）：请写成 2024-01-01 这样的日期，"
                "或删去这个字段、在导入时指定生效日期。"
            ) from None
        seen.setdefault(day, k)
    if len(seen) > 1:
        listed = "、".join(f"第 {k} 个要素 {d.isoformat()}" for d, k in list(seen.items())[:5])
        raise ImportFailed(
            f"{file_name}：各要素的“{field}”不同（{listed}）。一个文件是一版边界：请按生效日期拆成几个文件分别导入。"
        )
    return (next(iter(seen)), field) if seen else (None, field)


def _data_first_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """数据的第一天：与看板同一规则（app_meta 的 data_first_at：最早的发现、整改或测评开始时间）。"""
    rows = dict(queries.run(con, "app_meta").itertuples(index=False, name=None))
    first = rows.get("data_first_at")
    return datetime.fromisoformat(first).date() if first else None


def run_boundaries(
    db_path: str | os.PathLike,
    raw: bytes,
    file_name: str,
    *,
    name_field: str | None = None,
    crs: str | None = None,
    create_missing: bool = False,
    valid_from: date | None = None,
    imported_by: str | None = None,
    force: bool = False,
    page: str | None = None,
) -> ImportResult:
    """导入边界文件；合理性检查不通过时抛 ImportFailed（什么都不写），force=True 时照样导入并在说明里写明。
    成功、未改动与失败都恰好留一条审计。"""
    with statedb.audited(
        db_path, imported_by, "导入", f"镇街边界：{file_name}", page=page, file_sha256=sha256(raw)
    ) as outcome:
        result = _run_boundaries(
            Path(db_path),
            raw,
            file_name,
            name_field=name_field,
            crs=crs,
            create_missing=create_missing,
            valid_from=valid_from,
            imported_by=imported_by,
            force=force,
        )
        outcome.update(
            rows=result.rows_imported,
            detail=f"镇街边界：{file_name}：{result.status}"
            + (f"（导入编号 {result.import_id}）" if result.import_id else ""),
        )
    return result


def _run_boundaries(
    db_path: Path,
    raw: bytes,
    file_name: str,
    *,
    name_field: str | None,
    crs: str | None,
    create_missing: bool,
    valid_from: date | None,
    imported_by: str | None,
    force: bool,
) -> ImportResult:
    try:
        gdf = read_features(raw, file_name, crs)
    except readers.ReadError as exc:
        raise ImportFailed(str(exc)) from None
    fields = name_fields(gdf)
    # 字段名来自文件：最多列 20 个，免得一个几万个属性的文件把消息撑成几 MB
    listed = "、".join(fields[:20]) + (f"等 {len(fields):,} 个" if len(fields) > 20 else "") or "（无）"
    if name_field is None:
        name_field = next((c for c in NAME_CANDIDATES if c in fields), None)
        if name_field is None:
            raise ImportFailed(f"请用 --name-field 指定镇街名称所在的字段；文件中的文本字段有：{listed}。")
    elif name_field not in gdf.columns:
        raise ImportFailed(f"边界文件中没有字段“{name_field}”；文本字段有：{listed}。")
    invalid = gdf.attrs.get("invalid", {})
    stated, stated_field = stated_date(gdf, file_name)
    digest = sha256(raw)
    issues = []

    def issue(row, col, value, reason, level=checks.ERROR):
        # 名称来自文件，GDAL 不限字段长度：报告里最多显示 100 个字
        shown = value if len(value) <= 100 else value[:100] + "…"
        issues.append(
            {"级别": level, "文件": file_name, "工作表": "", "行": row, "列": col, "值": shown, "原因": reason}
        )

    db.check_is_duckdb_file(db_path)
    with (
        store.publishing(db_path, f"导入镇街边界：{file_name}", user=imported_by),
        db.writer(db_path, f"导入镇街边界：{file_name}") as con,
    ):
        prior = con.execute(
            "select id from import_log where file_sha256 = $h and kind = 'boundaries' and status in ('成功', '部分导入')",
            {"h": digest},
        ).fetchone()
        if prior:
            return ImportResult(
                prior[0],
                "boundaries",
                file_name,
                digest,
                len(gdf),
                0,
                0,
                len(gdf),
                status="已导入过",
                message=f"这个文件已于导入编号 {prior[0]} 导入过（文件哈希相同），未做任何修改。",
            )
        refs = checks.Refs(con, create_missing, statedb.office_settings(db_path))
        county = refs.our_code
        county_name = dict(zip(refs.regions["code"], refs.regions["name"])).get(county)
        rows = []
        first_row: dict[str, int] = {}
        for k, (name, geom) in enumerate(zip(gdf[name_field], gdf.geometry), start=1):
            name = readers.cell_text(name)
            if name is None:
                issue(k, name_field, "", "名称为空")
                continue
            if geom is None or geom.is_empty:
                issue(k, "geometry", name, "没有几何图形")
                continue
            if k - 1 in invalid:
                # 拒绝而不修复：镇街边界决定问题与点位归哪个镇街（进红黑榜、排名），而无效的面修法不唯一——
                # “8”字形的面，make_valid 保留两瓣，buffer(0) 只留一瓣，落在另一瓣里的问题就归了别的镇街。
                # 由画图的人在 GIS 软件里修好，比这里悄悄替他选一种可靠
                issue(k, "geometry", name, f"{invalid_reason(invalid[k - 1])}：{_FIX_HINT}")
                continue
            if not geom.is_valid:
                # 文件里的面是有效的（上面已查），只是换算坐标后在极近的两点间出现细小的自相交：修复，并写进说明
                geom = shapely.make_valid(geom)
                gdf.attrs.setdefault("notes", []).append(f"“{name}”换算坐标后边线出现细小的自相交，已自动修复")
            if geom.geom_type == "GeometryCollection":  # make_valid 可能带出线、点：只留面
                geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
            if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                issue(k, "geometry", name, "不是面（多边形）")
                continue
            minx, miny, maxx, maxy = geom.bounds
            if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
                issue(k, "geometry", name, "坐标超出经纬度范围（坐标系可能不对）")
                continue
            code = county if name == county_name else refs.township(name)
            if code is None:
                issue(k, name_field, name, checks.unknown_reason("镇街", create_missing))
                continue
            if code in first_row:
                # 同一镇街分成几个要素（如飞地）时应合成一个多面再导入；否则写入时主键冲突
                issue(
                    k,
                    name_field,
                    name,
                    f"与第 {first_row[code]} 个要素是同一个镇街：请在文件里把它们合并成一个多面（MultiPolygon）",
                )
                continue
            first_row[code] = k
            rows.append((k, code, name, geom))
        if any(i["级别"] == checks.ERROR for i in issues):
            prep = checks.Prepared(
                "boundaries",
                readers.Table(file_name, "", [], pd.DataFrame(), 1),
                len(gdf),
                issues=_capped(issues, file_name),
            )
            raise ImportFailed(f"边界文件有 {len(issues):,} 处错误，未导入任何数据。", prep)
        latest = {
            r[0]: (r[1], bytes(r[2]))
            for r in con.execute(
                "select region_code, max(version), arg_max(geom_wkb, version) from boundary group by region_code"
            ).fetchall()
        }
        # 生效日期（见模块说明）：指定的 > 文件写明的 > 首版用数据的第一天；已有版本的新一版没有日期时拒绝
        given = valid_from or stated
        first_day = _data_first_day(con) or EARLIEST
        if given is not None:
            dated = f"生效日期 {given.isoformat()}（{'导入时指定' if valid_from else f'文件的“{stated_field}”字段'}）"
        else:
            dated = (
                f"首版边界自数据的第一天 {first_day.isoformat()} 起生效（文件没有写明生效日期）"
                if first_day != EARLIEST
                else "首版边界对所有日期有效（库里还没有问题或测评数据，文件也没有写明生效日期）"
            )
        new_rows = []
        undated = []
        for _k, code, name, geom in rows:
            wkb = geo.to_wkb(geom)
            version, old = latest.get(code, (0, None))
            if old == wkb:
                continue
            if given is None and version:
                undated.append(name)  # 先照常做合理性检查，再说缺日期（文件本身的问题先说）
            new_rows.append(
                {
                    "region_code": code,
                    "version": version + 1,
                    "valid_from": given or first_day,
                    "geom_wkb": wkb,
                    "area_km2": geo.area_km2(geom),
                    "name": name,
                }
            )
        created = refs.created_frames()
        if not new_rows and not created:
            return ImportResult(
                None,
                "boundaries",
                file_name,
                digest,
                len(gdf),
                0,
                0,
                len(gdf),
                status="无新数据",
                message="边界与库中最新版本相同，没有新增任何内容。",
            )
        # 写入前：与本县现有范围比对，并试算重新归属（写入时用的就是这份结果）
        extent = _current_extent(con, county, frozenset(refs.township_by_name.values()))
        doubts = _doubts(
            rows, county, extent, len(set(refs.township_by_name.values()) | set(refs.new_townships.values()))
        )
        moves = _moves(con, _township_boundaries(con, [r for r in new_rows if r["region_code"] != county]))
        would = f"将重新归属问题 {len(moves['problem']):,} 条、点位 {len(moves['site']):,} 个"
        listed = "；".join(doubts[:MAX_LISTED]) + (f"；……共 {len(doubts)} 处" if len(doubts) > MAX_LISTED else "")
        if doubts and not force:
            raise ImportFailed(
                f"边界合理性检查未通过（{_basis(extent)}），未导入任何数据：{listed}。若导入，{would}。"
                "确认文件无误时，命令行加 --force、数据管理页勾选“仍然导入（跳过合理性检查）”可强制导入。"
            )
        if undated:
            listed_names = "、".join(undated[:MAX_LISTED]) + (
                f"等 {len(undated)} 个" if len(undated) > MAX_LISTED else ""
            )
            raise ImportFailed(
                f"{file_name}：库里已有{listed_names}的边界，这份文件是它们的新一版，但没有写明从哪天起生效，未导入任何数据。"
                "请在数据管理页填写“新版本生效日期”（命令行 --valid-from 2025-01-01），"
                "或在文件里加一个“生效日期”字段；否则看不出过去的问题该按哪一版归属。"
            )
        if doubts:
            check = f"合理性检查未通过（{_basis(extent)}），已按要求强制导入：{listed}。写入前试算：{would}。"
            gdf.attrs.setdefault("notes", []).append("未通过合理性检查，强制导入")
        else:
            check = f"合理性检查通过（{_basis(extent)}）。写入前试算：{would}。"
        archive = archive_dir(db_path) / f"{digest}{Path(file_name).suffix.lower()}"
        import_id = db.scalar(
            con,
            "insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at, status,"
            " archive_path, note) values ('boundaries', $f, $h, $t, $i, $by, $at, '成功', $a, $n) returning id",
            {
                "f": file_name,
                "h": digest,
                "t": len(gdf),
                "i": len(new_rows),
                "by": imported_by or osuser.name(),
                "at": datetime.now().replace(microsecond=0),
                "a": str(archive),
                "n": "；".join(gdf.attrs.get("notes", [])) or None,
            },
        )
        inserted = {}
        made = {}
        if "region" in created:
            inserted["region"] = _insert(con, "region", created["region"])
            record_created(con, import_id, "region", created["region"])
            made["region"] = created["region"]["name"].tolist()
        if new_rows:
            df = pd.DataFrame(new_rows).drop(columns="name").assign(source=f"import:{import_id}:{file_name}")
            inserted["boundary"] = _insert(con, "boundary", df)
        moved = _reassign(con, import_id, moves)
        if sum(moved.values()):
            inserted["region_reassignment"] = sum(moved.values())
        archive_raw(archive, raw)
    msg = f"导入成功（导入编号 {import_id}）：{file_name}，{len(gdf)} 个要素，新增边界版本 {len(new_rows)} 个，{dated}。{check}"
    repaired = [n for n in gdf.attrs.get("notes", []) if n.endswith("已自动修复")]
    if repaired:
        msg += "；".join(repaired) + "。"
    if sum(moved.values()):
        msg += (
            f"按新边界重新归属了问题 {moved['problem']:,} 条、点位 {moved['site']:,} 个的镇街"
            "（原社区不在新镇街下的已清空社区；回滚这次导入可恢复）。"
        )
    else:
        msg += "已有问题与点位的镇街都与边界一致，没有重新归属。"
    return ImportResult(
        import_id,
        "boundaries",
        file_name,
        digest,
        len(gdf),
        len(new_rows),
        0,
        len(gdf) - len(new_rows),
        inserted,
        made,
        "成功",
        msg,
    )


def _capped(issues: list[dict], file_name: str) -> list[dict]:
    """报告最多 MAX_REPORT_ROWS 条，多出来的只用一条说还有多少。"""
    if len(issues) <= MAX_REPORT_ROWS:
        return issues
    more = len(issues) - MAX_REPORT_ROWS
    return issues[:MAX_REPORT_ROWS] + [
        {
            "级别": checks.NOTE,
            "文件": file_name,
            "工作表": "",
            "行": "",
            "列": "",
            "值": "",
            "原因": f"……另有 {more:,} 处错误未列出（报告最多列 {MAX_REPORT_ROWS} 处）",
        }
    ]


@dataclass(frozen=True)
class _Extent:
    """本县现有范围：拿来与新边界比对。"""

    geom: BaseGeometry
    basis: str  # 说明里写的比对对象
    whole: bool  # 代表全县（县级边界，或每个镇街都有边界）；否则只是已知的一部分
    codes: frozenset[str]  # 由哪些镇街的边界合成（县级边界时为空）


def _current_extent(con: duckdb.DuckDBPyConnection, county: str | None, townships: frozenset[str]) -> _Extent | None:
    """本县最新的县级边界；没有时用各镇街最新边界的合集；库中一个边界都没有时为 None。"""
    ((wkb,),) = con.execute(
        "select arg_max(geom_wkb, version) from boundary where region_code = $c", {"c": county}
    ).fetchall()
    if wkb is not None:
        return _Extent(geo.from_wkb(wkb), "本县现有的县级边界", True, frozenset())
    latest = _township_boundaries(con)
    if not latest:
        return None
    codes = frozenset(c for c, _, _ in latest)
    whole = codes >= townships
    return _Extent(
        shapely.union_all([g for _, g, _ in latest]),
        "库中已有的" + ("全部" if whole else "部分") + "镇街边界",
        whole,
        codes,
    )


def _basis(extent: _Extent | None) -> str:
    if extent is None:
        return "库中还没有本县或镇街的边界，无从比较位置与面积，只查了镇街之间的重叠"
    return f"对照{extent.basis}"


def _doubts(
    rows: list[tuple[int, str, str, BaseGeometry]], county: str | None, extent: _Extent | None, n_townships: int
) -> list[str]:
    """新边界哪里不合理（中文，逐条）；空表示通过。rows 为 (行号, 代码, 名称, 几何)。"""
    out = []
    towns = [(name, g, geo.area_km2(g)) for _, code, name, g in rows if code != county]
    if extent is not None:
        ext, ext_area = extent.geom, geo.area_km2(extent.geom)
        for _, code, name, g in rows:
            area = geo.area_km2(g)
            inside = geo.area_km2(g.intersection(ext))
            outside = 1 - inside / area
            if code == county:  # 县界本该盖住镇街：只看它与原来的全县范围是否大体重合
                parts = []
                if extent.whole and outside > OUTSIDE_MAX_SHARE:
                    parts.append(f"有 {outside:.0%} 的面积在现有范围之外（上限 {OUTSIDE_MAX_SHARE:.0%}）")
                if inside / ext_area < 1 - OUTSIDE_MAX_SHARE:
                    parts.append(f"只盖住现有范围的 {inside / ext_area:.0%}（至少应有 {1 - OUTSIDE_MAX_SHARE:.0%}）")
                if parts:
                    out.append(f"本县边界“{name}”" + "，".join(parts))
                continue
            if extent.whole or code in extent.codes:
                if outside > OUTSIDE_MAX_SHARE:
                    out.append(f"“{name}”有 {outside:.0%} 的面积在本县现有范围之外（上限 {OUTSIDE_MAX_SHARE:.0%}）")
            elif (km := _distance_km(g, ext)) > FAR_KM:
                out.append(f"“{name}”离已有的镇街边界 {km:,.0f} 公里（上限 {FAR_KM} 公里）")
            if not extent.whole:
                continue
            if area > ext_area * (1 + AREA_TOLERANCE):
                out.append(
                    f"“{name}”面积 {area:,.1f} 平方公里，比全县（{ext_area:,.1f} 平方公里）还大"
                    f"（容差 {AREA_TOLERANCE:.0%}）"
                )
            elif n_townships > 1 and inside / ext_area >= 1 - AREA_TOLERANCE:
                out.append(
                    f"“{name}”盖住了全县 {inside / ext_area:.0%} 的面积（本县还有别的镇街，"
                    f"一个镇街不应超过 {1 - AREA_TOLERANCE:.0%}）"
                )
        if extent.whole and not out and len(towns) > 1:
            total = geo.area_km2(shapely.union_all([g for _, g, _ in towns]))
            if total > ext_area * (1 + AREA_TOLERANCE):
                out.append(
                    f"文件中的镇街合起来 {total:,.1f} 平方公里，比全县（{ext_area:,.1f} 平方公里）还大"
                    f"（容差 {AREA_TOLERANCE:.0%}）"
                )
    if len(towns) > 1:
        left, right = shapely.STRtree([g for _, g, _ in towns]).query([g for _, g, _ in towns], predicate="intersects")
        for i, j in sorted(zip(left.tolist(), right.tolist())):
            if i < j:
                (a, ga, aa), (b, gb, ab) = towns[i], towns[j]
                share = geo.area_km2(ga.intersection(gb)) / min(aa, ab)
                if share > OVERLAP_MAX_SHARE:
                    out.append(f"“{a}”与“{b}”重叠 {share:.0%}（按较小者的面积计，上限 {OVERLAP_MAX_SHARE:.0%}）")
    return out


def _distance_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """两个经纬度几何之间最近两点的大圆距离（km，球面近似）。"""
    if a.intersects(b):
        return 0.0
    lon1, lat1, lon2, lat2 = np.radians(shapely.get_coordinates(shapely.shortest_line(a, b)).ravel())
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * geo.EARTH_AUTHALIC_RADIUS_KM * np.arcsin(np.sqrt(h)))


def _township_boundaries(
    con: duckdb.DuckDBPyConnection, pending: Iterable[dict[str, Any]] = ()
) -> list[tuple[str, BaseGeometry, date]]:
    """各镇街最新版本的边界，叠上尚未写入的新版本 pending（boundary 的行）；新的在前：生效日期从新到旧，同日按代码。"""
    latest = {
        c: (bytes(w), v)
        for c, w, v in con.execute(
            "select b.region_code, arg_max(b.geom_wkb, b.version), arg_max(b.valid_from, b.version)"
            " from boundary b join region r on r.code = b.region_code where r.level = '镇街' group by 1"
        ).fetchall()
    }
    latest.update({r["region_code"]: (r["geom_wkb"], r["valid_from"]) for r in pending})
    order = sorted(latest, key=lambda c: (-latest[c][1].toordinal(), c))
    return [(c, geo.from_wkb(latest[c][0]), latest[c][1]) for c in order]


def _moves(con: duckdb.DuckDBPyConnection, townships: list[tuple[str, BaseGeometry, date]]) -> dict[str, pd.DataFrame]:
    """有坐标的问题与点位按各镇街边界（新的在前）该改到哪个镇街：entity_code、原镇街、原社区、新镇街。只读，试算与写入共用。"""
    columns = ["entity_code", "old_township_code", "old_community_code", "new_township_code"]
    moves = {"problem": pd.DataFrame(columns=columns), "site": pd.DataFrame(columns=columns)}
    if not townships:
        return moves
    # 新的在前：locate 取第一个包含该点的边界，重叠处即以生效日期较新的为准
    codes = np.array([c for c, _, _ in townships] + [None], dtype=object)
    geoms = [g for _, g, _ in townships]
    valid_from = np.array([v for _, _, v in townships] + [None], dtype=object)
    index = {c: k for k, c in enumerate(codes[:-1])}
    for entity in moves:  # 表名只取这两个
        df = con.execute(
            f"select code, township_code, community_code, lon, lat from {entity}"
            " where lon is not null and lat is not null"
        ).df()
        if df.empty:
            continue
        lon, lat = df["lon"].to_numpy(float), df["lat"].to_numpy(float)
        hit = geo.locate(lon, lat, geoms)
        old = df["township_code"].to_numpy(dtype=object)
        new = codes[np.where(hit >= 0, hit, len(codes) - 1)]
        move = (hit >= 0) & (new != old)
        # 也在原镇街内、且原镇街的边界同样新（如落在公共边线上）：不动
        for code in set(old[move]) & set(index):
            k = np.flatnonzero(move & (old == code))
            keep = geo.contains(geoms[index[code]], lon[k], lat[k]) & (valid_from[hit[k]] == valid_from[index[code]])
            move[k[keep]] = False
        if move.any():
            moves[entity] = (
                df.loc[move, ["code", "township_code", "community_code"]]
                .set_axis(columns[:3], axis=1)
                .assign(new_township_code=new[move])
            )
    return moves


def _reassign(con: duckdb.DuckDBPyConnection, import_id: int, moves: dict[str, pd.DataFrame]) -> dict[str, int]:
    """把 _moves 算出的改动写入：记入 region_reassignment，改写镇街（原社区不属于新镇街时清空）；返回各自改动的条数。"""
    moved = {}
    for entity, rows in moves.items():  # 表名只取 problem、site
        moved[entity] = _insert(con, "region_reassignment", rows.assign(import_id=import_id, entity=entity))
        if not moved[entity]:
            continue
        con.execute(
            f"""
            update {entity} set township_code = m.new_township_code,
                community_code = case when c.parent_code = m.new_township_code then {entity}.community_code end
            from region_reassignment m left join region c on c.code = m.old_community_code
            where m.import_id = $i and m.entity = $e and {entity}.code = m.entity_code""",
            {"i": import_id, "e": entity},
        )
    return moved
