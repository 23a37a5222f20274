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

from chuangwen import cli, db, geo
from chuangwen.imports import ImportFailed, rollback
from chuangwen.imports.boundaries import run_boundaries
from tests.unit._import_helpers import base_db, q, table_hashes


@pytest.fixture
def ref_db(tmp_path):
    return base_db(tmp_path)


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


# ---------------------------------------------------------------- 按新边界重新归属已有问题与点位

# 旧边界：城关街道 117.0–117.1、东坝镇 117.1–117.2；NEW 把两镇街的分界东移到 117.11
PLACED = """
insert into site (code, name, site_type, township_code, community_code, lon, lat) values
    ('S03', '东坝西口', '背街小巷', '990101002', '990101002001', 117.105, 31.05),
    ('S04', '县外停车场', '背街小巷', '990101002', null, 117.5, 31.5);
insert into problem (code, found_at, source, category, township_code, community_code, lon, lat,
                     description, severity, lead_unit_code) values
    ('P1', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101002001', 117.105, 31.05, '占道经营', '一般', 'D01'),
    ('P2', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101001001', 117.105, 31.06, '占道经营', '一般', 'D01'),
    ('P3', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101002001', 117.16, 31.06, '占道经营', '一般', 'D01'),
    ('P4', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101002001', null, null, '占道经营', '一般', 'D01'),
    ('P5', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101002001', 117.5, 31.5, '占道经营', '一般', 'D01'),
    ('P6', timestamp '2026-03-01 09:00', '县自查', '出店经营', '990101002', '990101002001', 117.11, 31.05, '占道经营', '一般', 'D01');
insert into rectify_event (problem_code, event_at, action, unit_code) values
    ('P1', timestamp '2026-03-01 10:00', '交办', 'D01'), ('P1', timestamp '2026-03-02 10:00', '整改中', 'D01');
"""


@pytest.fixture
def placed_db(ref_db):
    with db.writer(ref_db) as con:
        con.execute(PLACED)
    return ref_db


def places(path, table, *codes):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select code, township_code, community_code from {table} where list_contains($c, code) order by code",
                           {"c": list(codes)}).fetchall()
    finally:
        con.close()


def test_problem_and_site_inside_another_township_move_there_and_drop_a_community_of_the_old_one(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P1") == [("P1", "990101001", None)]
    assert places(placed_db, "site", "S03") == [("S03", "990101001", None)]


def test_a_community_under_the_new_township_is_kept(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P2") == [("P2", "990101001", "990101001001")]


def test_each_reassignment_is_recorded_with_the_old_township_and_community(placed_db):
    result = run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert q(placed_db, "select * from region_reassignment order by entity, entity_code") == [
        (result.import_id, "problem", "P1", "990101002", "990101002001", "990101001"),
        (result.import_id, "problem", "P2", "990101002", "990101001001", "990101001"),
        (result.import_id, "site", "S03", "990101002", "990101002001", "990101001")]


def test_points_outside_every_township_and_problems_without_coordinates_keep_their_township(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P3", "P4", "P5") == [
        ("P3", "990101002", "990101002001"), ("P4", "990101002", "990101002001"), ("P5", "990101002", "990101002001")]
    assert places(placed_db, "site", "S02", "S04") == [("S02", "990101002", "990101002001"), ("S04", "990101002", None)]


def test_a_point_on_the_shared_edge_keeps_its_township(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P6") == [("P6", "990101002", "990101002001")]


def test_where_boundaries_overlap_the_newer_version_wins(placed_db):
    # 只导入扩大后的城关街道：117.1–117.11 同时在城关新版本与东坝旧版本内
    run_boundaries(placed_db, geojson({"城关街道": NEW["城关街道"]}), "城关.geojson", valid_from=date(2026, 1, 1))
    assert places(placed_db, "problem", "P1", "P3") == [("P1", "990101001", None), ("P3", "990101002", "990101002001")]


def test_a_problem_with_rectify_events_can_be_reassigned(placed_db):
    events = q(placed_db, "select * from rectify_event order by id")
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P1") == [("P1", "990101001", None)]
    assert q(placed_db, "select * from rectify_event order by id") == events


def test_the_result_says_how_many_problems_and_sites_were_reassigned(placed_db):
    result = run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert result.inserted == {"boundary": 2, "region_reassignment": 3}
    assert "按新边界重新归属了问题 2 条、点位 1 个的镇街" in result.message
    assert "写入：边界版本 2 行，重新归属的问题与点位 3 行" in result.summary()


def test_boundaries_matching_every_problem_reassign_nothing(ref_db):
    result = run_boundaries(ref_db, geojson(NEW), "镇街.geojson")
    assert "已有问题与点位的镇街都与边界一致，没有重新归属。" in result.message
    assert q(ref_db, "select count(*) from region_reassignment") == [(0,)]


def test_importing_the_same_boundaries_again_changes_nothing(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    before = table_hashes(placed_db)
    assert run_boundaries(placed_db, geojson(NEW), "镇街.geojson").status == "已导入过"
    assert run_boundaries(placed_db, geojson(NEW, field="name"), "另存.geojson").status == "无新数据"
    assert table_hashes(placed_db) == before


def without_log(hashes):
    return {k: v for k, v in hashes.items() if k != "import_log"}


def test_rollback_restores_the_previous_townships_and_communities_exactly(placed_db):
    before = table_hashes(placed_db)
    result = run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert table_hashes(placed_db)["problem"] != before["problem"]
    rollback(placed_db, result.import_id)
    assert without_log(table_hashes(placed_db)) == without_log(before)


def test_rollback_of_a_created_township_gives_back_what_it_took(placed_db):
    before = table_hashes(placed_db)
    result = run_boundaries(placed_db, geojson({"新区街道": (117.45, 31.45, 117.55, 31.55)}), "新区.geojson",
                            create_missing=True)
    assert places(placed_db, "site", "S04") == [("S04", "IMPT0001", None)]
    rollback(placed_db, result.import_id)
    assert without_log(table_hashes(placed_db)) == without_log(before)


def test_an_older_boundary_import_is_rolled_back_only_after_a_later_one_that_moved_the_same_problems(placed_db):
    before = table_hashes(placed_db)
    first = run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    back = {"城关街道": (117.0, 31.0, 117.1, 31.1), "东坝镇": (117.1, 31.0, 117.2, 31.1)}
    second = run_boundaries(placed_db, geojson(back), "旧界.geojson")
    assert places(placed_db, "problem", "P1", "P2") == [("P1", "990101002", None), ("P2", "990101002", None)]
    with pytest.raises(ImportFailed, match=f"后续的边界导入（编号 {second.import_id}）.*请先回滚导入编号 {second.import_id}。"):
        rollback(placed_db, first.import_id)
    rollback(placed_db, second.import_id)
    assert places(placed_db, "problem", "P2") == [("P2", "990101001", "990101001001")]
    rollback(placed_db, first.import_id)
    assert without_log(table_hashes(placed_db)) == without_log(before)
