"""镇街边界文件的解析：GeoJSON 或压缩的 Shapefile，在与表格相同的受限子进程里、只开一个 GDAL 驱动（VRT 与网络都关掉）读成
GeoDataFrame（WGS-84）；解压、要素数与坐标点数都有上限，自相交的多边形拒绝。写入与合理性检查在 chuangwen.imports.boundaries。
"""

from __future__ import annotations

import gc
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from chuangwen import geo
from chuangwen.imports import readers, workbook_guard

if TYPE_CHECKING:
    import geopandas as gpd

SUFFIXES = (".geojson", ".json", ".zip")

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


# ---------------------------------------------------------------- 解析（在子进程里，只有一个 GDAL 驱动）


@dataclass(frozen=True)
class _ReadJob:
    """交给解析子进程的一件事（原始字节另经管道送过去）。"""

    name: str
    suffix: str
    parts: tuple[tuple[str, str], ...]  # 压缩的 Shapefile：（扩展名，压缩包里的部件名）
    folder: str  # 父进程建的临时目录（0700），子进程把要读的文件写在这里，父进程事后删除
    crs: str | None
    cap: int  # 解压后总大小的上限（字节）
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
_TINY = (
    b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":"x"},'
    b'"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}'
)


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


def _child(conn: Connection, job: _ReadJob) -> None:
    """子进程：与表格同一个骨架（readers._serve），只是预热与解析换成边界文件的。"""
    readers._serve(conn, job.limits, lambda: _warm_up(job.driver), lambda raw: _read_here(raw, job))


def _plain_crs(crs: object) -> bool:
    """GeoJSON 里 crs 只认 {"type": "name", "properties": {"name": "EPSG:4490"}} 这类写法（或 null）：
    "link" 类型让 GDAL 去下载链接，名字里的路径与网址也不认。"""
    if crs is None:
        return True
    if not isinstance(crs, dict) or crs.get("type") != "name" or not isinstance(crs.get("properties"), dict):
        return False
    text = crs["properties"].get("name")
    return isinstance(text, str) and (
        re.fullmatch(r"[A-Za-z][\w.:+ -]{0,99}", text) is not None
        or re.fullmatch(r"https?://www\.opengis\.net/def/crs/[\w.]+/[\w.]+/\w+", text) is not None
    )


def _crs_members(doc: dict, features: list) -> Iterator[object]:
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
        raise readers.ReadError(
            f"{name} 不是 UTF-8 编码：GeoJSON 必须是 UTF-8。请在 GIS 软件里另存为 UTF-8 编码的 GeoJSON。"
        ) from None
    except json.JSONDecodeError as exc:
        raise readers.ReadError(
            f"{name} 不是有效的 JSON：第 {exc.lineno:,} 行第 {exc.colno:,} 列附近格式不对。"
        ) from None
    except RecursionError:
        raise readers.ReadError(f"{name} 不是有效的 GeoJSON：嵌套层数过多。") from None
    finally:
        gc.enable()
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Topology":
        raise readers.ReadError(f"{name} 是 TopoJSON，不是 GeoJSON：请在 GIS 软件里另存为 GeoJSON。")
    if isinstance(doc, dict) and "geometryType" in doc:
        raise readers.ReadError(
            f"{name} 是 ArcGIS 的 Esri JSON，不是 GeoJSON：请在 ArcGIS 的“要素转 JSON”里勾选"
            "“输出为 GeoJSON”，或另存为压缩的 Shapefile。"
        )
    if kind not in ("FeatureCollection", "Feature"):
        raise readers.ReadError(f"{name} 不是 GeoJSON 要素集合：顶层的 type 应为 FeatureCollection。")
    features = doc.get("features") if kind == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise readers.ReadError(f"{name} 不是有效的 GeoJSON：features 应是一个列表。")
    if len(features) > max_features:
        raise _too_many_features(name, len(features), max_features)
    if not all(_plain_crs(crs) for crs in _crs_members(doc, features)):
        raise readers.ReadError(
            f"{name} 里的坐标系（crs）写成了链接、文件路径或其他写法，不支持（不会去打开它）。"
            '请删去 crs（按 WGS-84 处理），或写成 {"type": "name", "properties": '
            '{"name": "EPSG:4490"}} 的形式。'
        )
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
            for chunk in workbook_guard._member_chunks(
                view, infos[member], job.name, budget, error=workbook_guard.boundary_zip_error
            ):
                fh.write(chunk)
    return folder / "in.shp"


def _too_many_features(name: str, count: int | None, cap: int) -> readers.ReadError:
    counted = f"有 {count:,} 个要素，" if count else "的要素"
    return readers.ReadError(
        f"边界文件 {name} {counted}超过上限 {cap:,} 个。一个县的镇街边界只有几十个要素："
        "请只保留本县的镇街（和县界）再导入。"
    )


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
        except Exception as exc:  # GDAL 的消息可能带出文件内容，只报类型
            raise readers.ReadError(
                f"无法读取边界文件 {name}：压缩包里的 Shapefile 已损坏或不完整（{type(exc).__name__}）。"
                "请把 .shp、.shx、.dbf、.prj 一起重新压缩。"
            ) from None
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
        raise readers.ReadError(
            f"无法读取边界文件 {name}：不是有效的 {kind}（{type(exc).__name__}）。请确认是 GeoJSON 或压缩的 Shapefile。"
        ) from None
    if gdf.empty:
        raise readers.ReadError(f"边界文件里没有任何要素：{name}。")
    if len(gdf) > job.max_features:
        raise _too_many_features(name, None, job.max_features)
    geoms = gdf.geometry.to_numpy()
    points = int(shapely.get_num_coordinates(geoms).sum())
    if points > job.max_points:
        raise readers.ReadError(
            f"边界文件 {name} 共有 {points:,} 个坐标点，超过上限 {job.max_points:,} 个。"
            "请只保留本县的镇街边界，或在 GIS 软件里适当简化（如容差 1 米）后再导入。"
        )
    # 有效与否看文件里原来的坐标（位置也按文件坐标写，便于在 GIS 软件里找到）
    invalid = {
        i: r for i, r in enumerate(shapely.is_valid_reason(geoms).tolist()) if r is not None and r != "Valid Geometry"
    }
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
        raise readers.ReadError(
            f"边界文件 {name} 的坐标系无法换算到 WGS-84（{type(exc).__name__}）。"
            "请在 GIS 软件里另存为 WGS-84 或 CGCS2000 经纬度。"
        ) from None
    geoms = gdf.geometry.to_numpy()
    if job.crs in ("GCJ02", "BD09"):
        geoms = np.array(
            [
                None
                if g is None
                else shapely.transform(g, lambda xy: np.column_stack(geo.to_wgs84(xy[:, 0], xy[:, 1], job.crs)))
                for g in geoms
            ],
            dtype=object,
        )
        notes.append(f"按 {job.crs} 换算到 WGS-84")
    return {
        "properties": pd.DataFrame(gdf.drop(columns=gdf.geometry.name)),
        "wkb": shapely.to_wkb(geoms).tolist(),
        "invalid": invalid,
        "notes": notes,
    }


def read_features(raw: bytes, file_name: str, crs: str | None = None) -> gpd.GeoDataFrame:
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
        where = f"（文件坐标 {float(x):.8g}, {float(y):.8g} 附近）" if x is not None and y is not None else ""
    except ValueError:
        where = ""
    return f"边界无效：{text}{where}"


def name_fields(gdf: gpd.GeoDataFrame) -> list[str]:
    return [
        c for c in gdf.columns if c != "geometry" and (pd.api.types.is_string_dtype(gdf[c]) or gdf[c].dtype == object)
    ]
