"""镇街边界导入：GeoJSON 或压缩的 Shapefile（.zip），指定名称字段，换算到 WGS-84，按版本保存（不覆盖旧版本）。

- 读文件（read_features）与表格一样不可信：GDAL 会按文件内容自己挑驱动，一个改名为 .geojson 的 OGR VRT
  能让它读服务器上的任意文件、向任意地址发 HTTP 请求。所以读之前在本进程里只做字节级检查（GeoJSON 的开头、
  压缩包的目录），再在与表格相同的限了内存与时间的子进程里（readers._serve / readers._run_isolated）用
  文件类型对应的唯一一个驱动解析：GeoJSON 只用 GeoJSON 驱动，.zip 里的 .shp 只用 ESRI Shapefile 驱动（其余驱动
  连同 VRT 一律注销），GDAL 的网络访问关掉。要素数、坐标点数、解压后大小都有上限；自相交等无效的面拒绝导入。
- 名称与库中镇街（或本县）对上：新增一个版本（valid_from 为生效日期）；与最新版本完全相同的跳过（幂等）。
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

import gc
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from chuangwen import appstate, db, geo, store
from chuangwen.imports import checks, readers, workbook_guard
from chuangwen.imports.write import (ImportFailed, ImportResult, archive_dir, archive_raw, record_created, sha256, _insert,
                                    _user)

SUFFIXES = (".geojson", ".json", ".zip")
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

# 读边界文件的上限（消息里写明）。一个县十几二十个镇街，连同县界也不过几十个要素；5,000 个已很宽裕，
# 再多就不是一个县的镇街边界了（实测的“炸弹”有 200 万个面，读出来要 2 GB 以上、报告 200 万行）
MAX_FEATURES = 5_000
# 按测绘精度画的镇街边界每个几千到几万个坐标点，一个县合起来几十万个；200 万个（WKB 约 32 MB）已很宽裕。
# 超过的不交给看板进程：它还要算面积、重叠、逐点重新归属
MAX_POINTS = 2_000_000
# 一个县的镇街边界（.shp + .dbf）解压后通常只有几 MB，200 MB 已宽裕几十倍（报告里的炸弹解压后 315 MB）。
# 取它与 CHUANGWEN_IMPORT_MAX_UNZIPPED_MB（表格的解压上限，默认 2 GB）中小的一个
MAX_UNZIPPED_MB = 200
# 报告最多逐条列出的错误：一个镇街一条，几十条就是全部；多出来的只说还有多少
MAX_REPORT_ROWS = 200
# 超时、内存超限时给用户的建议
_HINT = "文件可能过大或结构异常：一个县的镇街边界通常只有几 MB，请只保留本县的镇街边界再导入。"
_FIX_HINT = "请用 GIS 软件（如 QGIS“修复几何图形”、ArcGIS“修复几何”）修好后再导入"


class _Table:  # 报告用的最小“表”信息
    def __init__(self, name):
        self.file_name, self.sheet, self.columns = name, "", []


# ---------------------------------------------------------------- 解析（在子进程里，只有一个 GDAL 驱动）

@dataclass(frozen=True)
class _ReadJob:
    """交给解析子进程的一件事（原始字节另经管道送过去）。"""

    name: str
    suffix: str
    parts: tuple[tuple[str, str], ...]   # 压缩的 Shapefile：（扩展名，压缩包里的部件名）
    folder: str                          # 父进程建的临时目录（0700），子进程把要读的文件写在这里，父进程事后删除
    crs: str | None
    cap: int                             # 解压后总大小的上限（字节）
    limits: readers.Limits
    max_features: int = MAX_FEATURES
    max_points: int = MAX_POINTS

    @property
    def driver(self) -> str:
        return "ESRI Shapefile" if self.suffix == ".zip" else "GeoJSON"


# GDAL 的 HTTP（/vsicurl/、GeoJSON 里 crs 链接的 importFromUrl 等都走 libcurl）一律经这个代理：协议不存在，
# curl 当场报错，不连任何地址（实测用 strace 看不到 connect）
_NO_NETWORK_PROXY = "chuangwen-no-network://"
_GDAL_OPTIONS = {
    "GDAL_HTTP_PROXY": _NO_NETWORK_PROXY,
    "GDAL_HTTPS_PROXY": _NO_NETWORK_PROXY,
    # /vsicurl/ 只打开以这些扩展名结尾的地址：一个不存在的扩展名，即一个也不打开
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".chuangwen-no-network",
    "GDAL_HTTP_MAX_RETRY": "0",
    "PROJ_NETWORK": "OFF",
}
# 预热用的最小 GeoJSON：在注销驱动、限内存之前把读文件、换算坐标要用的库都加载好
_TINY = (b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"x"},'
         b'"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}')


def _only_driver(driver: str) -> None:
    """本进程（解析子进程）里的 GDAL 只留下 driver 一个驱动，关掉网络；留不下就抛 RuntimeError（不读文件）。"""
    import pyogrio
    from pyogrio import _ogr

    # NO_PROXY 会让 curl 对本机等地址绕过上面的代理直连：从子进程的环境里去掉
    for var in ("NO_PROXY", "no_proxy"):
        os.environ.pop(var, None)
    # pyogrio 0.13 的读函数没有 driver / allowed_drivers 参数（只有写文件才能指定驱动），GDAL 3.12 的“驱动名:路径”
    # 前缀对名字带空格的“ESRI Shapefile”也不起作用；所以把其余驱动都注销，GDAL 想认错也无从认起。
    # GDAL_SKIP 在注册驱动时生效（GDALAllRegister 最后按它注销）：设好后再注册一遍。
    # “VRT”是栅格的 VRT 驱动，不在矢量驱动列表里，一并注销
    others = sorted(set(pyogrio.list_drivers()) - {driver}) + ["VRT"]
    pyogrio.set_gdal_config_options({**_GDAL_OPTIONS, "GDAL_SKIP": ",".join(others)})
    _ogr._register_drivers()
    left = set(pyogrio.list_drivers())
    if left != {driver}:
        raise RuntimeError(f"未能把 GDAL 限制为只用 {driver} 驱动（还有 {sorted(left - {driver})}），不读边界文件")


def _warm_up(driver: str) -> None:
    """加载 geopandas、pyogrio、pyproj 并走一遍读与换算；再只留下 driver 一个驱动。"""
    import geopandas as gpd
    import pyproj

    readers._warm_up()
    pyproj.network.set_network_enabled(False)
    gpd.read_file(io.BytesIO(_TINY), engine="pyogrio").set_crs(4326).to_crs(3857)
    _only_driver(driver)


def _child(conn, job: _ReadJob) -> None:
    """子进程：与表格同一个骨架（readers._serve），只是预热与解析换成边界文件的。"""
    readers._serve(conn, job.limits, lambda: _warm_up(job.driver), lambda raw: _read_here(raw, job))


def _plain_crs(crs) -> bool:
    """GeoJSON 里 crs 只认 {"type": "name", "properties": {"name": "EPSG:4490"}} 这类写法（或 null）：
    "link" 类型让 GDAL 去下载链接，名字里的路径与网址也不认。"""
    if crs is None:
        return True
    if not isinstance(crs, dict) or crs.get("type") != "name" or not isinstance(crs.get("properties"), dict):
        return False
    text = crs["properties"].get("name")
    return isinstance(text, str) and (re.fullmatch(r"[A-Za-z][\w.:+ -]{0,99}", text) is not None
                                      or re.fullmatch(r"https?://www\.opengis\.net/def/crs/[\w.]+/[\w.]+/\w+", text) is not None)


def _crs_members(doc: dict, features: list):
    """GDAL 会读的 crs：要素集合、每个要素、每个几何（连同几何集合里的几何）上的 crs 成员。"""
    stack = [doc, *features]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, dict):
            continue
        if "crs" in obj:
            yield obj["crs"]
        stack.append(obj.get("geometry"))
        if isinstance(obj.get("geometries"), list):
            stack.extend(obj["geometries"])


def _check_geojson(raw: bytes, name: str, max_features: int) -> int:
    """先用 Python 的 json 读一遍：是不是 UTF-8 的 JSON、顶层是不是要素集合、要素数是否超限、crs 有没有链接；返回要素数。"""
    # 几十万个要素就是几百万个字典与列表：解析时关掉循环垃圾回收（JSON 里没有循环引用）。
    # 实测 91 MB、65 万个要素的文件 15 秒 → 6 秒（都在子进程里，受时间与内存上限约束）
    gc.disable()
    try:
        doc = json.loads(raw)
    except UnicodeDecodeError:
        raise readers.ReadError(f"{name} 不是 UTF-8 编码：GeoJSON 必须是 UTF-8。请在 GIS 软件里另存为 UTF-8 编码的 GeoJSON。") from None
    except json.JSONDecodeError as exc:
        raise readers.ReadError(f"{name} 不是有效的 JSON：第 {exc.lineno:,} 行第 {exc.colno:,} 列附近格式不对。") from None
    except RecursionError:
        raise readers.ReadError(f"{name} 不是有效的 GeoJSON：嵌套层数过多。") from None
    finally:
        gc.enable()
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Topology":
        raise readers.ReadError(f"{name} 是 TopoJSON，不是 GeoJSON：请在 GIS 软件里另存为 GeoJSON。")
    if isinstance(doc, dict) and "geometryType" in doc:
        raise readers.ReadError(f"{name} 是 ArcGIS 的 Esri JSON，不是 GeoJSON：请在 ArcGIS 的“要素转 JSON”里勾选"
                                "“输出为 GeoJSON”，或另存为压缩的 Shapefile。")
    if kind not in ("FeatureCollection", "Feature"):
        raise readers.ReadError(f"{name} 不是 GeoJSON 要素集合：顶层的 type 应为 FeatureCollection。")
    features = doc.get("features") if kind == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise readers.ReadError(f"{name} 不是有效的 GeoJSON：features 应是一个列表。")
    if len(features) > max_features:
        raise _too_many_features(name, len(features), max_features)
    if not all(_plain_crs(crs) for crs in _crs_members(doc, features)):
        raise readers.ReadError(f"{name} 里的坐标系（crs）写成了链接、文件路径或其他写法，不支持（不会去打开它）。"
                                "请删去 crs（按 WGS-84 处理），或写成 {\"type\": \"name\", \"properties\": "
                                "{\"name\": \"EPSG:4490\"}} 的形式。")
    return len(features)


def _extract(raw: bytes, job: _ReadJob) -> Path:
    """把 .shp .shx .dbf（.prj .cpg）按真实解压出的字节计数写进临时目录，文件名由这里定（in.shp 等）。"""
    view = memoryview(raw)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    budget = [job.cap]
    folder = Path(job.folder)
    for ext, member in job.parts:
        with open(folder / f"in{ext}", "xb") as fh:
            for chunk in workbook_guard._member_chunks(view, infos[member], job.name, budget,
                                                       error=workbook_guard.boundary_zip_error):
                fh.write(chunk)
    return folder / "in.shp"


def _too_many_features(name: str, count: int | None, cap: int) -> readers.ReadError:
    counted = f"有 {count:,} 个要素，" if count else "的要素"
    return readers.ReadError(f"边界文件 {name} {counted}超过上限 {cap:,} 个。一个县的镇街边界只有几十个要素："
                             "请只保留本县的镇街（和县界）再导入。")


def _read_here(raw: bytes, job: _ReadJob) -> dict:
    """（子进程里）读成属性表 + WKB（WGS-84），附无效面的原因与换算说明。"""
    import geopandas as gpd
    import pyogrio

    name = job.name
    if job.suffix == ".zip":
        path = _extract(raw, job)
        try:
            count = pyogrio.read_info(path, force_feature_count=True)["features"]
        except MemoryError:
            raise
        except Exception as exc:   # GDAL 的消息可能带出文件内容，只报类型
            raise readers.ReadError(f"无法读取边界文件 {name}：压缩包里的 Shapefile 已损坏或不完整（{type(exc).__name__}）。"
                                    "请把 .shp、.shx、.dbf、.prj 一起重新压缩。") from None
    else:
        count = _check_geojson(raw, name, job.max_features)
        path = Path(job.folder) / "in.geojson"
        path.write_bytes(raw)
    if count is not None and count > job.max_features:
        raise _too_many_features(name, count, job.max_features)
    try:
        # 要素数已核对过；max_features 再兜一次底（驱动报的数不准时也不会读进几百万个）
        gdf = gpd.read_file(path, engine="pyogrio", max_features=job.max_features + 1)
    except MemoryError:
        raise
    except Exception as exc:
        kind = "GeoJSON" if job.suffix != ".zip" else "Shapefile"
        raise readers.ReadError(f"无法读取边界文件 {name}：不是有效的 {kind}（{type(exc).__name__}）。"
                                "请确认是 GeoJSON 或压缩的 Shapefile。") from None
    if gdf.empty:
        raise readers.ReadError(f"边界文件里没有任何要素：{name}。")
    if len(gdf) > job.max_features:
        raise _too_many_features(name, None, job.max_features)
    geoms = gdf.geometry.to_numpy()
    points = int(shapely.get_num_coordinates(geoms).sum())
    if points > job.max_points:
        raise readers.ReadError(f"边界文件 {name} 共有 {points:,} 个坐标点，超过上限 {job.max_points:,} 个。"
                                "请只保留本县的镇街边界，或在 GIS 软件里适当简化（如容差 1 米）后再导入。")
    # 有效与否看文件里原来的坐标（位置也按文件坐标写，便于在 GIS 软件里找到）
    invalid = {i: r for i, r in enumerate(shapely.is_valid_reason(geoms).tolist())
               if r is not None and r != "Valid Geometry"}
    notes = []
    try:
        if gdf.crs is None:
            notes.append("文件未写明坐标系，按 WGS-84 处理")
        elif not gdf.crs.equals("EPSG:4326"):
            notes.append(f"已从 {gdf.crs.name} 换算到 WGS-84")
            gdf = gdf.to_crs(4326)
    except MemoryError:
        raise
    except Exception as exc:
        raise readers.ReadError(f"边界文件 {name} 的坐标系无法换算到 WGS-84（{type(exc).__name__}）。"
                                "请在 GIS 软件里另存为 WGS-84 或 CGCS2000 经纬度。") from None
    geoms = gdf.geometry.to_numpy()
    if job.crs in ("GCJ02", "BD09"):
        geoms = np.array([None if g is None else
                          shapely.transform(g, lambda xy: np.column_stack(geo.to_wgs84(xy[:, 0], xy[:, 1], job.crs)))
                          for g in geoms], dtype=object)
        notes.append(f"按 {job.crs} 换算到 WGS-84")
    return {"properties": pd.DataFrame(gdf.drop(columns=gdf.geometry.name)), "wkb": shapely.to_wkb(geoms).tolist(),
            "invalid": invalid, "notes": notes}


def read_features(raw: bytes, file_name: str, crs: str | None = None):
    """读成 GeoDataFrame（WGS-84）。坏文件、恶意文件抛 ReadError（中文，不引用文件以外的内容）。
    attrs["notes"] 是换算说明，attrs["invalid"] 是 {第几个要素（从 0 起）: 无效的原因（GEOS 的英文）}。
    总在子进程里解析（不看 readers.PARSE_IN_CHILD）：那里要注销 GDAL 的其余驱动，不能在调用者的进程里做。"""
    import geopandas as gpd

    suffix = readers.check_file(file_name, len(raw), raw[:4096], kinds=SUFFIXES)
    limits = readers.Limits.from_settings()
    cap = min(limits.unzipped_mb, MAX_UNZIPPED_MB) << 20
    parts: tuple[tuple[str, str], ...] = ()
    if suffix == ".zip":
        parts = tuple(workbook_guard.check_shapefile_zip(raw, file_name, cap).items())
    else:
        workbook_guard.check_geojson_head(raw, file_name)
    with tempfile.TemporaryDirectory(prefix="chuangwen-boundary-") as folder:
        job = _ReadJob(file_name, suffix, parts, folder, crs, cap, limits, MAX_FEATURES, MAX_POINTS)
        packed = readers._run_isolated(_child, job, raw, file_name, limits, hint=_HINT)
    gdf = gpd.GeoDataFrame(packed["properties"], geometry=shapely.from_wkb(packed["wkb"]), crs=4326)
    gdf.attrs["notes"] = packed["notes"]
    gdf.attrs["invalid"] = packed["invalid"]
    return gdf


# GEOS 说明无效的原因（is_valid_reason 的英文开头）→ 中文
_INVALID_REASONS = {
    "Self-intersection": "边线自相交（例如画成了“8”字形）",
    "Ring Self-intersection": "边线在一点上自己打了结",
    "Too few points": "点数太少，围不成面",
    "Hole lies outside shell": "内洞在外边界之外",
    "Nested holes": "内洞套着内洞",
    "Nested shells": "几块面互相套叠",
    "Interior is disconnected": "内洞把面分成了互不相连的几块",
    "Invalid Coordinate": "有无效的坐标（空值或无穷大）",
    "Ring is not closed": "边线没有闭合",
    "Duplicate Rings": "有重复的环",
}


def invalid_reason(reason: str) -> str:
    """GEOS 的无效原因（如 "Self-intersection[117.05 31.05]"）→ 中文，带文件坐标里的位置。"""
    m = re.fullmatch(r"\s*([^\[]*?)\s*(?:\[(\S+) (\S+)\])?\s*", reason)
    kind, x, y = (m.group(1), m.group(2), m.group(3)) if m else (reason, None, None)
    text = _INVALID_REASONS.get(kind, "几何图形无效")
    try:
        where = f"（文件坐标 {float(x):.8g}, {float(y):.8g} 附近）" if x is not None else ""
    except ValueError:
        where = ""
    return f"边界无效：{text}{where}"


def name_fields(gdf) -> list[str]:
    return [c for c in gdf.columns if c != "geometry" and (pd.api.types.is_string_dtype(gdf[c]) or gdf[c].dtype == object)]


def run_boundaries(db_path: str | os.PathLike, raw: bytes, file_name: str, *, name_field: str | None = None,
                   crs: str | None = None, create_missing: bool = False, valid_from: date | None = None,
                   imported_by: str | None = None, force: bool = False, page: str | None = None) -> ImportResult:
    """导入边界文件；合理性检查不通过时抛 ImportFailed（什么都不写），force=True 时照样导入并在说明里写明。
    成功、未改动与失败都恰好留一条审计。"""
    with appstate.audited(db_path, imported_by, "导入", f"镇街边界：{file_name}", page=page,
                          file_sha256=sha256(raw)) as outcome:
        result = _run_boundaries(Path(db_path), raw, file_name, name_field=name_field, crs=crs,
                                 create_missing=create_missing, valid_from=valid_from, imported_by=imported_by, force=force)
        outcome.update(rows=result.rows_imported, detail=f"镇街边界：{file_name}：{result.status}"
                       + (f"（导入编号 {result.import_id}）" if result.import_id else ""))
    return result


def _run_boundaries(db_path: Path, raw: bytes, file_name: str, *, name_field: str | None, crs: str | None,
                    create_missing: bool, valid_from: date | None, imported_by: str | None, force: bool) -> ImportResult:
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
    valid_from = valid_from or date.today()
    digest = sha256(raw)
    issues = []

    def issue(row, col, value, reason, level=checks.ERROR):
        # 名称来自文件，GDAL 不限字段长度：报告里最多显示 100 个字
        shown = value if len(value) <= 100 else value[:100] + "…"
        issues.append({"级别": level, "文件": file_name, "工作表": "", "行": row, "列": col, "值": shown, "原因": reason})

    db._check_is_duckdb_file(db_path)
    with store.publishing(db_path, f"导入镇街边界：{file_name}", user=imported_by), \
            db.writer(db_path, f"导入镇街边界：{file_name}") as con:
        prior = con.execute("select id from import_log where file_sha256 = $h and kind = 'boundaries' and status in ('成功', '部分导入')",
                            {"h": digest}).fetchone()
        if prior:
            return ImportResult(prior[0], "boundaries", file_name, digest, len(gdf), 0, 0, len(gdf), status="已导入过",
                                message=f"这个文件已于导入编号 {prior[0]} 导入过（文件哈希相同），未做任何修改。")
        refs = checks.Refs(con, create_missing)
        county = refs.meta.get("our_region_code")
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
                issue(k, name_field, name, checks.unknown_reason("镇街", create_missing))
                continue
            if code in first_row:
                # 同一镇街分成几个要素（如飞地）时应合成一个多面再导入；否则写入时主键冲突
                issue(k, name_field, name, f"与第 {first_row[code]} 个要素是同一个镇街：请在文件里把它们合并成一个多面（MultiPolygon）")
                continue
            first_row[code] = k
            rows.append((k, code, name, geom))
        if any(i["级别"] == checks.ERROR for i in issues):
            prep = checks.Prepared("boundaries", _Table(file_name), len(gdf), issues=_capped(issues, file_name))
            raise ImportFailed(f"边界文件有 {len(issues):,} 处错误，未导入任何数据。", prep)
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
        # 写入前：与本县现有范围比对，并试算重新归属（写入时用的就是这份结果）
        extent = _current_extent(con, county, frozenset(refs.township_by_name.values()))
        doubts = _doubts(rows, county, extent, len(set(refs.township_by_name.values()) | set(refs.new_townships.values())))
        moves = _moves(con, _township_boundaries(con, [r for r in new_rows if r["region_code"] != county]))
        would = f"将重新归属问题 {len(moves['problem']):,} 条、点位 {len(moves['site']):,} 个"
        listed = "；".join(doubts[:MAX_LISTED]) + (f"；……共 {len(doubts)} 处" if len(doubts) > MAX_LISTED else "")
        if doubts and not force:
            raise ImportFailed(f"边界合理性检查未通过（{_basis(extent)}），未导入任何数据：{listed}。若导入，{would}。"
                               "确认文件无误时，命令行加 --force、数据管理页勾选“仍然导入（跳过合理性检查）”可强制导入。")
        if doubts:
            check = f"合理性检查未通过（{_basis(extent)}），已按要求强制导入：{listed}。写入前试算：{would}。"
            gdf.attrs.setdefault("notes", []).append("未通过合理性检查，强制导入")
        else:
            check = f"合理性检查通过（{_basis(extent)}）。写入前试算：{would}。"
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
        moved = _reassign(con, import_id, moves)
        if sum(moved.values()):
            inserted["region_reassignment"] = sum(moved.values())
        archive_raw(archive, raw)
    msg = f"导入成功（导入编号 {import_id}）：{file_name}，{len(gdf)} 个要素，新增边界版本 {len(new_rows)} 个。{check}"
    repaired = [n for n in gdf.attrs.get("notes", []) if n.endswith("已自动修复")]
    if repaired:
        msg += "；".join(repaired) + "。"
    if sum(moved.values()):
        msg += (f"按新边界重新归属了问题 {moved['problem']:,} 条、点位 {moved['site']:,} 个的镇街"
                "（原社区不在新镇街下的已清空社区；回滚这次导入可恢复）。")
    else:
        msg += "已有问题与点位的镇街都与边界一致，没有重新归属。"
    return ImportResult(import_id, "boundaries", file_name, digest, len(gdf), len(new_rows), 0, len(gdf) - len(new_rows),
                        inserted, made, "成功", msg)


def _capped(issues: list[dict], file_name: str) -> list[dict]:
    """报告最多 MAX_REPORT_ROWS 条，多出来的只用一条说还有多少。"""
    if len(issues) <= MAX_REPORT_ROWS:
        return issues
    more = len(issues) - MAX_REPORT_ROWS
    return issues[:MAX_REPORT_ROWS] + [{"级别": checks.NOTE, "文件": file_name, "工作表": "", "行": "", "列": "", "值": "",
                                        "原因": f"……另有 {more:,} 处错误未列出（报告最多列 {MAX_REPORT_ROWS} 处）"}]


@dataclass(frozen=True)
class _Extent:
    """本县现有范围：拿来与新边界比对。"""
    geom: BaseGeometry
    basis: str                # 说明里写的比对对象
    whole: bool               # 代表全县（县级边界，或每个镇街都有边界）；否则只是已知的一部分
    codes: frozenset[str]     # 由哪些镇街的边界合成（县级边界时为空）


def _current_extent(con, county: str | None, townships: frozenset[str]) -> _Extent | None:
    """本县最新的县级边界；没有时用各镇街最新边界的合集；库中一个边界都没有时为 None。"""
    (wkb,), = con.execute("select arg_max(geom_wkb, version) from boundary where region_code = $c", {"c": county}).fetchall()
    if wkb is not None:
        return _Extent(geo.from_wkb(wkb), "本县现有的县级边界", True, frozenset())
    latest = _township_boundaries(con)
    if not latest:
        return None
    codes = frozenset(c for c, _, _ in latest)
    whole = codes >= townships
    return _Extent(shapely.union_all([g for _, g, _ in latest]),
                   "库中已有的" + ("全部" if whole else "部分") + "镇街边界", whole, codes)


def _basis(extent: _Extent | None) -> str:
    if extent is None:
        return "库中还没有本县或镇街的边界，无从比较位置与面积，只查了镇街之间的重叠"
    return f"对照{extent.basis}"


def _doubts(rows, county: str | None, extent: _Extent | None, n_townships: int) -> list[str]:
    """新边界哪里不合理（中文，逐条）；空表示通过。rows 为 (行号, 代码, 名称, 几何)。"""
    out = []
    towns = [(name, g, geo.area_km2(g)) for _, code, name, g in rows if code != county]
    if extent is not None:
        ext, ext_area = extent.geom, geo.area_km2(extent.geom)
        for _, code, name, g in rows:
            area = geo.area_km2(g)
            inside = geo.area_km2(g.intersection(ext))
            outside = 1 - inside / area
            if code == county:   # 县界本该盖住镇街：只看它与原来的全县范围是否大体重合
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
                out.append(f"“{name}”面积 {area:,.1f} 平方公里，比全县（{ext_area:,.1f} 平方公里）还大"
                           f"（容差 {AREA_TOLERANCE:.0%}）")
            elif n_townships > 1 and inside / ext_area >= 1 - AREA_TOLERANCE:
                out.append(f"“{name}”盖住了全县 {inside / ext_area:.0%} 的面积（本县还有别的镇街，"
                           f"一个镇街不应超过 {1 - AREA_TOLERANCE:.0%}）")
        if extent.whole and not out and len(towns) > 1:
            total = geo.area_km2(shapely.union_all([g for _, g, _ in towns]))
            if total > ext_area * (1 + AREA_TOLERANCE):
                out.append(f"文件中的镇街合起来 {total:,.1f} 平方公里，比全县（{ext_area:,.1f} 平方公里）还大"
                           f"（容差 {AREA_TOLERANCE:.0%}）")
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


def _township_boundaries(con, pending=()) -> list[tuple[str, BaseGeometry, date]]:
    """各镇街最新版本的边界，叠上尚未写入的新版本 pending（boundary 的行）；新的在前：生效日期从新到旧，同日按代码。"""
    latest = {c: (bytes(w), v) for c, w, v in con.execute(
        "select b.region_code, arg_max(b.geom_wkb, b.version), arg_max(b.valid_from, b.version)"
        " from boundary b join region r on r.code = b.region_code where r.level = '镇街' group by 1").fetchall()}
    latest.update({r["region_code"]: (r["geom_wkb"], r["valid_from"]) for r in pending})
    order = sorted(latest, key=lambda c: (-latest[c][1].toordinal(), c))
    return [(c, geo.from_wkb(latest[c][0]), latest[c][1]) for c in order]


def _moves(con, townships: list[tuple[str, BaseGeometry, date]]) -> dict[str, pd.DataFrame]:
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
    for entity in moves:   # 表名只取这两个
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
        if move.any():
            moves[entity] = df.loc[move, ["code", "township_code", "community_code"]].set_axis(
                columns[:3], axis=1).assign(new_township_code=new[move])
    return moves


def _reassign(con, import_id: int, moves: dict[str, pd.DataFrame]) -> dict[str, int]:
    """把 _moves 算出的改动写入：记入 region_reassignment，改写镇街（原社区不属于新镇街时清空）；返回各自改动的条数。"""
    moved = {}
    for entity, rows in moves.items():   # 表名只取 problem、site
        moved[entity] = _insert(con, "region_reassignment", rows.assign(import_id=import_id, entity=entity))
        if not moved[entity]:
            continue
        con.execute(f"""
            update {entity} set township_code = m.new_township_code,
                community_code = case when c.parent_code = m.new_township_code then {entity}.community_code end
            from region_reassignment m left join region c on c.code = m.old_community_code
            where m.import_id = $i and m.entity = $e and {entity}.code = m.entity_code""", {"i": import_id, "e": entity})
    return moved
