"""边界导入：GeoJSON / 压缩 Shapefile、名称字段、换算到 WGS-84、按版本保存、幂等、create-missing 与回滚。"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import duckdb
import geopandas as gpd
import pytest
from shapely.geometry import box

from chuangwen import cli, geo
from chuangwen.imports import ImportFailed, rollback
from chuangwen.imports.boundaries import run_boundaries
from tests.unit._import_helpers import base_db, table_hashes


@pytest.fixture
def ref_db(tmp_path):
    return base_db(tmp_path)


def q(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def geojson(features: dict[str, tuple], field: str = "名称") -> bytes:
    gdf = gpd.GeoDataFrame({field: list(features)}, geometry=[box(*b) for b in features.values()], crs=4326)
    return gdf.to_json().encode("utf-8")


# 城关街道向东扩 0.01 度
NEW = {"城关街道": (117.0, 31.0, 117.11, 31.1), "东坝镇": (117.11, 31.0, 117.2, 31.1)}


def test_geojson_adds_a_new_version_and_keeps_the_old_one(ref_db):
    result = run_boundaries(ref_db, geojson(NEW), "镇街.geojson", valid_from=date(2026, 1, 1))
    assert result.inserted == {"boundary": 2}
    assert q(ref_db, "select region_code, version, valid_from from boundary where region_code like '990101___' order by 1, 2") == [
        ("990101001", 1, date(2020, 1, 1)), ("990101001", 2, date(2026, 1, 1)),
        ("990101002", 1, date(2020, 1, 1)), ("990101002", 2, date(2026, 1, 1))]
    (wkb,), = q(ref_db, "select geom_wkb from boundary where region_code = '990101001' and version = 2")
    assert geo.from_wkb(bytes(wkb)).bounds == (117.0, 31.0, 117.11, 31.1)


def test_the_same_boundaries_again_add_nothing(ref_db):
    run_boundaries(ref_db, geojson(NEW), "镇街.geojson")
    assert run_boundaries(ref_db, geojson(NEW), "镇街.geojson").status == "已导入过"
    before = table_hashes(ref_db)
    again = run_boundaries(ref_db, geojson(NEW, field="name"), "另存.geojson")
    assert again.status == "无新数据" and table_hashes(ref_db) == before


def test_zipped_shapefile_in_web_mercator_is_reprojected_to_wgs84(ref_db, tmp_path):
    gdf = gpd.GeoDataFrame({"XZMC": ["东坝镇"]}, geometry=[box(117.1, 31.0, 117.2, 31.1)], crs=4326).to_crs(3857)
    gdf.to_file(tmp_path / "t.shp", encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            if (tmp_path / f"t.{ext}").exists():
                zf.write(tmp_path / f"t.{ext}", f"t.{ext}")
    result = run_boundaries(ref_db, buf.getvalue(), "镇街.zip")
    assert result.inserted == {"boundary": 1}
    (wkb,), = q(ref_db, "select geom_wkb from boundary where region_code = '990101002' and version = 2")
    assert [round(v, 6) for v in geo.from_wkb(bytes(wkb)).bounds] == [117.1, 31.0, 117.2, 31.1]


def test_unknown_township_is_refused_and_nothing_changes(ref_db):
    before = table_hashes(ref_db)
    with pytest.raises(ImportFailed) as exc:
        run_boundaries(ref_db, geojson({"新区街道": (117.2, 31.0, 117.3, 31.1)}), "镇街.geojson")
    assert exc.value.prepared.report()["原因"].tolist()[0].startswith("库中没有这个镇街")
    assert table_hashes(ref_db) == before


def test_create_missing_adds_the_township_and_rollback_removes_it_with_its_boundary(ref_db):
    before = table_hashes(ref_db)
    result = run_boundaries(ref_db, geojson({"新区街道": (117.2, 31.0, 117.3, 31.1)}), "镇街.geojson", create_missing=True)
    assert q(ref_db, "select code, level, parent_code from region where name = '新区街道'") == [("IMPT0001", "镇街", "990101")]
    assert result.inserted == {"region": 1, "boundary": 1}
    rollback(ref_db, result.import_id)
    after = table_hashes(ref_db)
    assert {k: v for k, v in after.items() if k != "import_log"} == {k: v for k, v in before.items() if k != "import_log"}


def test_missing_name_field_lists_the_fields_in_chinese(ref_db):
    with pytest.raises(ImportFailed, match="请用 --name-field 指定镇街名称所在的字段；文件中的文本字段有：id、乡镇代码"):
        run_boundaries(ref_db, geojson(NEW, field="乡镇代码"), "镇街.geojson")


def test_wrong_file_type_for_boundaries_is_refused(ref_db):
    with pytest.raises(ImportFailed, match="不支持的文件类型“.kml”"):
        run_boundaries(ref_db, b"<kml/>", "镇街.kml")


def test_cli_imports_boundaries_with_a_chosen_name_field(ref_db, tmp_path, capsys):
    f = tmp_path / "b.geojson"
    f.write_bytes(geojson(NEW, field="乡镇"))
    assert cli.main(["import", "boundaries", str(f), "--db", str(ref_db), "--name-field", "乡镇", "--valid-from", "2026-01-01"]) == 0
    assert "新增边界版本 2 个" in capsys.readouterr().out
