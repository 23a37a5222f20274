"""镇街边界导入：GeoJSON 或压缩的 Shapefile（.zip），指定名称字段，换算到 WGS-84，按版本保存（不覆盖旧版本）。

- 名称与库中镇街（或本县）对上：新增一个版本（valid_from 为生效日期）；与最新版本完全相同的跳过（幂等）。
- 库中没有的镇街：加 --create-missing 时新增（挂在本县下），否则报错。
- 已有问题与点位按各镇街最新版本的边界重新归属（与写入边界同一事务）：有坐标、落在某个镇街内、且与现归属不同的，
  改写镇街；原社区不属于新镇街时清空社区。没有坐标、落在所有镇街之外的保持原归属。
  边界重叠处以生效日期较新的版本为准，同样新时（含落在公共边线上）保持原镇街。
  每条改动记入 region_reassignment（原镇街、原社区），回滚这次导入时按此恢复。
"""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from chuangwen import db, geo
from chuangwen.imports import readers, validate
from chuangwen.imports.write import ImportFailed, ImportResult, archive_dir, record_created, sha256, _insert, _user

SUFFIXES = (".geojson", ".json", ".zip")
NAME_CANDIDATES = ("镇街", "名称", "name", "NAME", "Name", "XZMC", "乡镇名称", "township")


class _Table:  # 报告用的最小“表”信息
    def __init__(self, name):
        self.file_name, self.sheet, self.columns = name, "", []


def read_features(raw: bytes, file_name: str, crs: str | None = None):
    """读成 GeoDataFrame（WGS-84）。坏文件抛 ReadError（中文）。"""
    import geopandas as gpd

    readers.check_file(file_name, len(raw), raw[:4096], kinds=SUFFIXES)
    suffix = Path(file_name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in{suffix}"
        path.write_bytes(raw)
        try:
            if suffix == ".zip":
                with zipfile.ZipFile(path) as zf:
                    shp = [n for n in zf.namelist() if n.lower().endswith(".shp")]
                if not shp:
                    raise readers.ReadError(f"压缩包里没有 .shp 文件：{file_name}。请把 .shp、.shx、.dbf、.prj 一起压缩。")
                gdf = gpd.read_file(f"zip://{path}!{shp[0]}")
            else:
                gdf = gpd.read_file(path)
        except readers.ReadError:
            raise
        except zipfile.BadZipFile:
            raise readers.ReadError(f"文件不是有效的 zip 压缩包：{file_name}。") from None
        except Exception as exc:
            raise readers.ReadError(f"无法读取边界文件 {file_name}：{type(exc).__name__}。请确认是 GeoJSON 或压缩的 Shapefile。") from None
    if gdf.empty:
        raise readers.ReadError(f"边界文件里没有任何要素：{file_name}。")
    notes = []
    if gdf.crs is None:
        notes.append("文件未写明坐标系，按 WGS-84 处理")
    elif not gdf.crs.equals("EPSG:4326"):
        notes.append(f"已从 {gdf.crs.name} 换算到 WGS-84")
        gdf = gdf.to_crs(4326)
    if crs in ("GCJ02", "BD09"):
        gdf["geometry"] = [shapely.transform(g, lambda xy: np.column_stack(geo.to_wgs84(xy[:, 0], xy[:, 1], crs)))
                           for g in gdf.geometry]
        notes.append(f"按 {crs} 换算到 WGS-84")
    gdf.attrs["notes"] = notes
    return gdf


def name_fields(gdf) -> list[str]:
    return [c for c in gdf.columns if c != "geometry" and (pd.api.types.is_string_dtype(gdf[c]) or gdf[c].dtype == object)]


def run_boundaries(db_path: str | os.PathLike, raw: bytes, file_name: str, *, name_field: str | None = None,
                   crs: str | None = None, create_missing: bool = False, valid_from: date | None = None,
                   imported_by: str | None = None) -> ImportResult:
    db_path = Path(db_path)
    try:
        gdf = read_features(raw, file_name, crs)
    except readers.ReadError as exc:
        raise ImportFailed(str(exc)) from None
    fields = name_fields(gdf)
    if name_field is None:
        name_field = next((c for c in NAME_CANDIDATES if c in fields), None)
        if name_field is None:
            raise ImportFailed(f"请用 --name-field 指定镇街名称所在的字段；文件中的文本字段有：{'、'.join(fields) or '（无）'}。")
    elif name_field not in gdf.columns:
        raise ImportFailed(f"边界文件中没有字段“{name_field}”；文本字段有：{'、'.join(fields) or '（无）'}。")
    valid_from = valid_from or date.today()
    digest = sha256(raw)
    issues = []

    def issue(row, col, value, reason, level=validate.ERROR):
        issues.append({"级别": level, "文件": file_name, "工作表": "", "行": row, "列": col, "值": value, "原因": reason})

    db._check_is_duckdb_file(db_path)
    with db.writer(db_path) as con:
        prior = con.execute("select id from import_log where file_sha256 = $h and kind = 'boundaries' and status in ('成功', '部分导入')",
                            {"h": digest}).fetchone()
        if prior:
            return ImportResult(prior[0], "boundaries", file_name, digest, len(gdf), 0, 0, len(gdf), status="已导入过",
                                message=f"这个文件已于导入编号 {prior[0]} 导入过（文件哈希相同），未做任何修改。")
        refs = validate._Refs(con, create_missing)
        county = refs.meta.get("our_region_code")
        county_name = dict(zip(refs.regions["code"], refs.regions["name"])).get(county)
        rows = []
        for k, (name, geom) in enumerate(zip(gdf[name_field], gdf.geometry), start=1):
            name = readers.cell_text(name)
            if name is None:
                issue(k, name_field, "", "名称为空")
                continue
            if geom is None or geom.is_empty:
                issue(k, "geometry", name, "没有几何图形")
                continue
            geom = shapely.make_valid(geom)
            if geom.geom_type == "GeometryCollection":   # make_valid 可能带出线、点：只留面
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
                issue(k, name_field, name, validate._unknown_reason("镇街", create_missing))
                continue
            rows.append((k, code, name, geom))
        if any(i["级别"] == validate.ERROR for i in issues):
            prep = validate.Prepared("boundaries", _Table(file_name), len(gdf), issues=issues)
            raise ImportFailed(f"边界文件有 {len(issues)} 处错误，未导入任何数据。", prep)
        latest = {r[0]: (r[1], bytes(r[2])) for r in con.execute(
            "select region_code, max(version), arg_max(geom_wkb, version) from boundary group by region_code").fetchall()}
        new_rows = []
        for k, code, name, geom in rows:
            wkb = geo.to_wkb(geom)
            version, old = latest.get(code, (0, None))
            if old == wkb:
                continue
            new_rows.append({"region_code": code, "version": version + 1, "valid_from": valid_from, "geom_wkb": wkb,
                             "area_km2": geo.area_km2(geom), "name": name})
        created = refs.created_frames()
        if not new_rows and not created:
            return ImportResult(None, "boundaries", file_name, digest, len(gdf), 0, 0, len(gdf), status="无新数据",
                                message="边界与库中最新版本相同，没有新增任何内容。")
        archive = archive_dir(db_path) / f"{digest}{Path(file_name).suffix.lower()}"
        import_id = con.execute(
            "insert into import_log (kind, file_name, file_sha256, rows_total, rows_imported, imported_by, imported_at, status,"
            " archive_path, note) values ('boundaries', $f, $h, $t, $i, $by, $at, '成功', $a, $n) returning id",
            {"f": file_name, "h": digest, "t": len(gdf), "i": len(new_rows), "by": imported_by or _user(),
             "at": datetime.now().replace(microsecond=0), "a": str(archive), "n": "；".join(gdf.attrs.get("notes", [])) or None},
        ).fetchone()[0]
        inserted = {}
        made = {}
        if "region" in created:
            inserted["region"] = _insert(con, "region", created["region"])
            record_created(con, import_id, "region", created["region"])
            made["region"] = created["region"]["name"].tolist()
        if new_rows:
            df = pd.DataFrame(new_rows).drop(columns="name").assign(source=f"import:{import_id}:{file_name}")
            inserted["boundary"] = _insert(con, "boundary", df)
        moved = _reassign(con, import_id)
        if sum(moved.values()):
            inserted["region_reassignment"] = sum(moved.values())
        archive.parent.mkdir(parents=True, exist_ok=True)
        if not archive.exists():
            archive.write_bytes(raw)
    msg = f"导入成功（导入编号 {import_id}）：{file_name}，{len(gdf)} 个要素，新增边界版本 {len(new_rows)} 个。"
    if sum(moved.values()):
        msg += (f"按新边界重新归属了问题 {moved['problem']:,} 条、点位 {moved['site']:,} 个的镇街"
                "（原社区不在新镇街下的已清空社区；回滚这次导入可恢复）。")
    else:
        msg += "已有问题与点位的镇街都与边界一致，没有重新归属。"
    return ImportResult(import_id, "boundaries", file_name, digest, len(gdf), len(new_rows), 0, len(gdf) - len(new_rows),
                        inserted, made, "成功", msg)


def _reassign(con, import_id: int) -> dict[str, int]:
    """按各镇街最新版本的边界重新归属有坐标的问题与点位，记入 region_reassignment；返回各自改动的条数。"""
    b = con.execute("select b.region_code, arg_max(b.geom_wkb, b.version), arg_max(b.valid_from, b.version) as valid_from"
                    " from boundary b join region r on r.code = b.region_code where r.level = '镇街'"
                    " group by 1 order by valid_from desc, 1").fetchall()
    moved = {"problem": 0, "site": 0}
    if not b:
        return moved
    # 新的在前：locate 取第一个包含该点的边界，重叠处即以生效日期较新的为准
    codes = np.array([c for c, _, _ in b] + [None], dtype=object)
    geoms = [geo.from_wkb(bytes(w)) for _, w, _ in b]
    valid_from = np.array([v for _, _, v in b] + [None], dtype=object)
    index = {c: k for k, c in enumerate(codes[:-1])}
    for entity in moved:   # 表名只取这两个
        df = con.execute(f"select code, township_code, community_code, lon, lat from {entity}"
                         " where lon is not null and lat is not null").df()
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
        if not move.any():
            continue
        rows = df.loc[move, ["code", "township_code", "community_code"]].set_axis(
            ["entity_code", "old_township_code", "old_community_code"], axis=1)
        moved[entity] = _insert(con, "region_reassignment", rows.assign(
            import_id=import_id, entity=entity, new_township_code=new[move]))
        con.execute(f"""
            update {entity} set township_code = m.new_township_code,
                community_code = case when c.parent_code = m.new_township_code then {entity}.community_code end
            from region_reassignment m left join region c on c.code = m.old_community_code
            where m.import_id = $i and m.entity = $e and {entity}.code = m.entity_code""", {"i": import_id, "e": entity})
    return moved
