"""恶意的镇街边界文件：改名为 .geojson 的 OGR VRT（读服务器上的文件、取本机地址）、crs 链接、Shapefile 炸弹、
压缩包的路径把戏、“8”字形的面——都变成中文拒绝，不引用文件以外的内容、不发任何请求、库不变。
文件由 scripts/make_hostile_files.py 生成；不测用时（2,000,000 个面的炸弹与内存见 benchmarks/bench_hostile_files.py）。
"""

from __future__ import annotations

import http.server
import json
import os
import sys
import threading
from pathlib import Path

import pytest
from shapely.geometry import box, mapping

from chuangwen import cli
from chuangwen.imports import ImportFailed, boundaries, boundary_files, readers
from chuangwen.imports.boundaries import run_boundaries
from tests.unit._import_helpers import base_db, table_hashes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import make_hostile_files as hostile  # noqa: E402

MARKER = "SECRET-MARKER-7f3a9c"
NOT_GEOJSON = (
    "文件扩展名是 .geojson，但内容是 XML（例如 OGR VRT、GML、KML），不是 GeoJSON：镇街.geojson。"
    "已拒绝，未读取其内容。请上传 GeoJSON，或把 .shp、.shx、.dbf、.prj 一起压缩成 .zip。"
)
CRS_LINK = (
    "镇街.geojson 里的坐标系（crs）写成了链接、文件路径或其他写法，不支持（不会去打开它）。"
    '请删去 crs（按 WGS-84 处理），或写成 {"type": "name", "properties": {"name": "EPSG:4490"}} 的形式。'
)
ONE_COUNTY = "一个县的镇街边界解压后通常只有几 MB：请只保留本县的镇街边界再导入。"


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch):
    """消息里写着上限：用默认值，不受运行环境里的 CHUANGWEN_IMPORT_* 影响。"""
    for name in list(os.environ):
        if name.startswith("CHUANGWEN_IMPORT_"):
            monkeypatch.delenv(name)


@pytest.fixture
def ref_db(tmp_path):
    return base_db(tmp_path)


@pytest.fixture
def secret(tmp_path) -> Path:
    """服务器上一个只有属主能读的文件（像私钥那样 0600），内容里有一个标记串。"""
    path = tmp_path / "secret.csv"
    path.write_text(f"id,secret\n1,{MARKER}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


class _Loopback(http.server.ThreadingHTTPServer):
    requests: list[str]


@pytest.fixture
def loopback():
    """本机的一个 HTTP 服务：记下收到的每个请求，回一段带标记串的 CSV。"""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            server.requests.append(f"{self.command} {self.path}")
            body = f"id,body\n1,{MARKER}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = _Loopback(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: _Loopback, path: str = "/data.csv") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def refusal(ref_db, raw: bytes, name: str) -> ImportFailed:
    before = table_hashes(ref_db)
    with pytest.raises(ImportFailed) as excinfo:
        run_boundaries(ref_db, raw, name)
    assert table_hashes(ref_db) == before
    return excinfo.value


def everything_said(exc: ImportFailed) -> str:
    report = exc.prepared.report().to_string() if exc.prepared is not None else ""
    return f"{exc}\n{exc!r}\n{report}"


# ---------------------------------------------------------------- OGR VRT 改名为 .geojson


def test_a_vrt_reading_a_private_server_file_is_refused_without_its_content(ref_db, secret):
    exc = refusal(ref_db, hostile.vrt_reading(secret), "镇街.geojson")
    assert str(exc) == NOT_GEOJSON
    assert MARKER not in everything_said(exc)


def test_a_vrt_fetching_a_loopback_address_is_refused_and_makes_no_request(ref_db, loopback):
    exc = refusal(ref_db, hostile.vrt_fetching(url_of(loopback)), "镇街.geojson")
    assert str(exc) == NOT_GEOJSON
    assert MARKER not in everything_said(exc)
    assert loopback.requests == []


def test_cli_import_of_a_vrt_exits_1_in_chinese_without_the_secret(ref_db, secret, tmp_path, capsys):
    f = tmp_path / "镇街.geojson"
    f.write_bytes(hostile.vrt_reading(secret))
    assert cli.main(["import", "boundaries", str(f), "--db", str(ref_db)]) == 1
    out = capsys.readouterr()
    assert out.err == f"chuangwen import：错误：{NOT_GEOJSON}\n"
    assert MARKER not in out.out + out.err


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'\xef\xbb\xbf  \n<?xml version="1.0"?><OGRVRTDataSource/>', NOT_GEOJSON),
        (
            b"id,name\n1,x\n",
            "文件扩展名是 .geojson，但内容不是 GeoJSON（GeoJSON 以“{”开头）：镇街.geojson。"
            "请上传 GeoJSON，或把 .shp、.shx、.dbf、.prj 一起压缩成 .zip。",
        ),
    ],
    ids=["BOM 与空白后的 XML", "CSV"],
)
def test_content_that_is_not_json_is_refused_before_gdal_sees_it(ref_db, raw, message):
    assert str(refusal(ref_db, raw, "镇街.geojson")) == message


def test_a_geojson_crs_link_is_refused_and_nothing_is_fetched(ref_db, loopback):
    exc = refusal(ref_db, hostile.geojson_crs_link(url_of(loopback, "/crs.wkt")), "镇街.geojson")
    assert str(exc) == CRS_LINK
    assert loopback.requests == []


def test_a_crs_link_inside_a_geometry_is_refused_too(ref_db, loopback):
    doc = json.loads(hostile.bowtie_geojson())
    doc["features"][0]["geometry"] = {
        **mapping(box(117.0, 31.0, 117.1, 31.1)),
        "crs": {"type": "link", "properties": {"href": url_of(loopback)}},
    }
    assert str(refusal(ref_db, json.dumps(doc).encode(), "镇街.geojson")) == CRS_LINK
    assert loopback.requests == []


def test_a_named_crs_is_still_read(ref_db):
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": [
            {"type": "Feature", "properties": {"名称": "东坝镇"}, "geometry": mapping(box(117.1, 31.0, 117.2, 31.1))}
        ],
    }
    gdf = boundaries.read_features(json.dumps(doc, ensure_ascii=False).encode(), "镇街.geojson")
    assert (gdf["名称"].tolist(), gdf.attrs["notes"]) == (
        ["东坝镇"],
        ["已从 China Geodetic Coordinate System 2000 换算到 WGS-84"],
    )


# ---------------------------------------------------------------- 解析子进程里的 GDAL：只有一个驱动、没有网络


def _gdal_in_child(conn, job):
    """在解析子进程里（与导入同样的预热与限制）让 GDAL 自己去认文件：跳过 Python 这边的 JSON 检查。"""
    readers._serve(conn, job.limits, lambda: boundary_files._warm_up(job.driver), lambda raw: _open_raw(raw, job))


def _open_raw(raw: bytes, job) -> dict:
    import geopandas as gpd
    import pyogrio

    path = Path(job.folder) / "in.geojson"
    path.write_bytes(raw)
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:
        return {"drivers": sorted(pyogrio.list_drivers()), "opened": False, "error": type(exc).__name__}
    return {"drivers": sorted(pyogrio.list_drivers()), "opened": True, "rows": gdf.astype(str).values.tolist()}


def in_child(raw: bytes, suffix: str, tmp_path) -> dict:
    limits = readers.Limits()
    job = boundary_files._ReadJob("镇街" + suffix, suffix, (), str(tmp_path), None, 1 << 20, limits)
    return readers._run_isolated(_gdal_in_child, job, raw, job.name, limits)


@pytest.mark.parametrize(("suffix", "driver"), [(".geojson", "GeoJSON"), (".zip", "ESRI Shapefile")])
def test_in_the_parsing_child_gdal_has_only_the_driver_the_file_kind_names(tmp_path, suffix, driver):
    assert in_child(hostile.bowtie_geojson(), suffix, tmp_path)["drivers"] == [driver]


def test_past_the_json_check_gdal_still_cannot_open_a_vrt_that_reads_a_file(tmp_path, secret):
    result = in_child(hostile.vrt_reading(secret), ".geojson", tmp_path)
    assert result == {"drivers": ["GeoJSON"], "opened": False, "error": "DataSourceError"}


def test_past_the_json_check_gdal_still_cannot_open_a_vrt_that_fetches(tmp_path, loopback):
    result = in_child(hostile.vrt_fetching(url_of(loopback)), ".geojson", tmp_path)
    assert result == {"drivers": ["GeoJSON"], "opened": False, "error": "DataSourceError"}
    assert loopback.requests == []


def test_past_the_json_check_gdal_does_not_follow_a_crs_link(tmp_path, loopback, monkeypatch):
    # curl 对 NO_PROXY 里的地址绕过代理直连：子进程要把它从环境里去掉
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    result = in_child(hostile.geojson_crs_link(url_of(loopback, "/crs.wkt")), ".geojson", tmp_path)
    assert result["opened"] is True
    assert loopback.requests == []


# ---------------------------------------------------------------- 压缩的 Shapefile：炸弹与路径把戏


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("boundary_hostile")
    makers = {n: f for n, f in hostile.BOUNDARY_HOSTILE.items() if n.endswith(".zip") and n != "shapefile_bomb.zip"}
    return {name: make(folder) for name, make in makers.items()}


ZIP_REFUSALS = {
    "declared_huge.zip": f"无法读取边界文件 declared_huge.zip：压缩包里的“bomb.shp”解压后有 300 MB，超过边界文件的上限 200 MB。{ONE_COUNTY}",
    "lying_shapefile.zip": "无法读取边界文件 lying_shapefile.zip：压缩包里的部件 bomb.shp 实际解压出的内容比声明的 2,048 字节多"
    "（谎报大小），文件已损坏或被改动过，已拒绝。",
    "zip_slip.zip": "无法读取边界文件 zip_slip.zip：压缩包里的“../../bomb.shp”路径不安全（绝对路径、盘符或“..”），已拒绝。",
    "symlink.zip": "无法读取边界文件 symlink.zip：压缩包里的“bomb.prj”是符号链接，已拒绝。",
    "nested.zip": "无法读取边界文件 nested.zip：压缩包里又套了压缩包“inner.zip”，已拒绝。"
    "请解开后只把 .shp、.shx、.dbf、.prj 压缩进一个 .zip。",
}


def test_every_hostile_zip_has_an_expected_refusal(zips):
    assert sorted(zips) == sorted(ZIP_REFUSALS)


@pytest.mark.parametrize("name", sorted(ZIP_REFUSALS))
def test_hostile_zip_is_refused_in_chinese_and_the_db_is_unchanged(ref_db, zips, name):
    assert str(refusal(ref_db, zips[name].read_bytes(), name)) == ZIP_REFUSALS[name]


def test_a_shapefile_bomb_over_the_unzipped_cap_is_refused_before_it_is_parsed(ref_db, tmp_path, monkeypatch):
    # 与 .xlsx 同一个设置；边界文件取它与 200 MB 中小的一个。这里设成 1 MB，2 万个面（解压后 3 MB）就超了
    monkeypatch.setenv("CHUANGWEN_IMPORT_MAX_UNZIPPED_MB", "1")
    bomb = hostile.make_shapefile_bomb(tmp_path, polygons=20_000)
    exc = refusal(ref_db, bomb.read_bytes(), "镇街.zip")
    assert (
        str(exc)
        == f"无法读取边界文件 镇街.zip：压缩包里的“bomb.shp”解压后有 3 MB，超过边界文件的上限 1 MB。{ONE_COUNTY}"
    )


def test_more_features_than_the_cap_are_refused_with_the_count(ref_db, tmp_path):
    many = hostile.make_shapefile_bomb(tmp_path, polygons=5_001)
    exc = refusal(ref_db, many.read_bytes(), "镇街.zip")
    assert str(exc) == (
        "边界文件 镇街.zip 有 5,001 个要素，超过上限 5,000 个。一个县的镇街边界只有几十个要素："
        "请只保留本县的镇街（和县界）再导入。"
    )
    assert exc.prepared is None


def test_more_geojson_features_than_the_cap_are_refused_with_the_count(ref_db):
    feature = {
        "type": "Feature",
        "properties": {"名称": "城关街道"},
        "geometry": mapping(box(117.0, 31.0, 117.1, 31.1)),
    }
    raw = json.dumps({"type": "FeatureCollection", "features": [feature] * 5_001}, ensure_ascii=False).encode()
    assert str(refusal(ref_db, raw, "镇街.geojson")) == (
        "边界文件 镇街.geojson 有 5,001 个要素，超过上限 5,000 个。一个县的镇街边界只有几十个要素："
        "请只保留本县的镇街（和县界）再导入。"
    )


def test_more_points_than_the_cap_are_refused(ref_db, monkeypatch):
    monkeypatch.setattr(boundary_files, "MAX_POINTS", 9)  # 两个正方形各 5 个点
    raw = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"名称": n}, "geometry": mapping(box(*b))}
                for n, b in {"城关街道": (117.0, 31.0, 117.1, 31.1), "东坝镇": (117.1, 31.0, 117.2, 31.1)}.items()
            ],
        },
        ensure_ascii=False,
    ).encode()
    assert str(refusal(ref_db, raw, "镇街.geojson")) == (
        "边界文件 镇街.geojson 共有 10 个坐标点，超过上限 9 个。请只保留本县的镇街边界，或在 GIS 软件里适当简化（如容差 1 米）后再导入。"
    )


def test_two_layers_in_one_zip_are_refused_naming_both(ref_db, tmp_path):
    import zipfile

    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for layer in ("县界", "镇街"):
            for n, d in hostile._shapefile_parts(1).items():
                zf.writestr(n.replace("bomb", layer), d)
    assert str(refusal(ref_db, path.read_bytes(), "两层.zip")) == (
        "无法读取边界文件 两层.zip：压缩包里有 2 个 .shp 文件（县界.shp、镇街.shp）：一次只导入一个图层，"
        "请只把镇街边界的 .shp、.shx、.dbf、.prj 压缩进一个 .zip。"
    )


# ---------------------------------------------------------------- 无效（自相交）的面：拒绝，指明镇街与位置


def test_a_self_intersecting_township_is_refused_naming_it_and_where(ref_db):
    exc = refusal(ref_db, hostile.bowtie_geojson("城关街道"), "镇街.geojson")
    assert str(exc) == "边界文件有 1 处错误，未导入任何数据。"
    assert exc.prepared.report()[["行", "列", "值", "原因"]].values.tolist() == [
        [
            1,
            "geometry",
            "城关街道",
            "边界无效：边线自相交（例如画成了“8”字形）（文件坐标 117.05, 31.05 附近）："
            "请用 GIS 软件（如 QGIS“修复几何图形”、ArcGIS“修复几何”）修好后再导入",
        ]
    ]


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        ("Ring Self-intersection[1 2]", "边界无效：边线在一点上自己打了结（文件坐标 1, 2 附近）"),
        ("Hole lies outside shell[3.5 -4]", "边界无效：内洞在外边界之外（文件坐标 3.5, -4 附近）"),
        ("Something new", "边界无效：几何图形无效"),
    ],
)
def test_geos_reasons_are_said_in_chinese(reason, text):
    assert boundaries.invalid_reason(reason) == text


def test_a_report_with_many_errors_lists_200_and_says_how_many_more(ref_db):
    raw = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": f"新区{i}"},
                    "geometry": mapping(box(117.0, 31.0, 117.1, 31.1)),
                }
                for i in range(250)
            ],
        },
        ensure_ascii=False,
    ).encode()
    exc = refusal(ref_db, raw, "镇街.geojson")
    report = exc.prepared.report()
    assert (str(exc), len(report)) == ("边界文件有 250 处错误，未导入任何数据。", 201)
    assert report.iloc[-1][["级别", "原因"]].tolist() == ["提示", "……另有 50 处错误未列出（报告最多列 200 处）"]


# ---------------------------------------------------------------- 命令行：文件里的控制字符不进终端


def test_cli_boundary_report_escapes_control_characters_in_names(ref_db, tmp_path, capsys):
    f = tmp_path / "镇街.geojson"
    f.write_bytes(hostile.bowtie_geojson("\x1b]0;pwned\x07\x1b[2J城关街道"))
    assert cli.main(["import", "boundaries", str(f), "--db", str(ref_db)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "｜geometry｜值“\\x1b]0;pwned\\x07\\x1b[2J城关街道”：边界无效：边线自相交" in err
