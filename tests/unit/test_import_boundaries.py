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
from chuangwen.imports import ImportFailed, boundaries, rollback
from chuangwen.imports.write import archive_dir
from tests.unit._import_helpers import base_db, q, table_hashes

# 这里的库里已有各镇街的边界，导入的都是新一版：新一版须写明生效日期（没有日期时拒绝，见 test_boundary_dates.py），
# 这些测试关心的是别的事，统一按 2026-01-01 生效
NEW_VERSION_DAY = date(2026, 1, 1)


def run_boundaries(path, raw, file_name, **options):
    return boundaries.run_boundaries(path, raw, file_name, **{"valid_from": NEW_VERSION_DAY, **options})


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
    assert q(
        ref_db, "select region_code, version, valid_from from boundary where region_code like '990101___' order by 1, 2"
    ) == [
        ("990101001", 1, date(2020, 1, 1)),
        ("990101001", 2, date(2026, 1, 1)),
        ("990101002", 1, date(2020, 1, 1)),
        ("990101002", 2, date(2026, 1, 1)),
    ]
    ((wkb,),) = q(ref_db, "select geom_wkb from boundary where region_code = '990101001' and version = 2")
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
    ((wkb,),) = q(ref_db, "select geom_wkb from boundary where region_code = '990101002' and version = 2")
    assert [round(v, 6) for v in geo.from_wkb(bytes(wkb)).bounds] == [117.1, 31.0, 117.2, 31.1]


def test_unknown_township_is_refused_and_nothing_changes(ref_db):
    before = table_hashes(ref_db)
    with pytest.raises(ImportFailed) as exc:
        run_boundaries(ref_db, geojson({"新区街道": (117.2, 31.0, 117.3, 31.1)}), "镇街.geojson")
    assert exc.value.prepared.report()["原因"].tolist()[0].startswith("库中没有这个镇街")
    assert table_hashes(ref_db) == before


def test_create_missing_adds_the_township_and_rollback_removes_it_with_its_boundary(ref_db):
    before = table_hashes(ref_db)
    # 新区街道整个在县界之外：合理性检查会拒绝，这里只看新增与回滚
    result = run_boundaries(
        ref_db, geojson({"新区街道": (117.2, 31.0, 117.3, 31.1)}), "镇街.geojson", create_missing=True, force=True
    )
    assert q(ref_db, "select code, level, parent_code from region where name = '新区街道'") == [
        ("IMPT0001", "镇街", "990101")
    ]
    assert result.inserted == {"region": 1, "boundary": 1}
    rollback(ref_db, result.import_id)
    after = table_hashes(ref_db)
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"
    }


def test_missing_name_field_lists_the_fields_in_chinese(ref_db):
    with pytest.raises(
        ImportFailed, match="请用 --name-field 指定镇街名称所在的字段；文件中的文本字段有：id、乡镇代码"
    ):
        run_boundaries(ref_db, geojson(NEW, field="乡镇代码"), "镇街.geojson")


def test_wrong_file_type_for_boundaries_is_refused(ref_db):
    with pytest.raises(ImportFailed, match="不支持的文件类型“.kml”"):
        run_boundaries(ref_db, b"<kml/>", "镇街.kml")


def test_cli_imports_boundaries_with_a_chosen_name_field(ref_db, tmp_path, capsys):
    f = tmp_path / "b.geojson"
    f.write_bytes(geojson(NEW, field="乡镇"))
    assert (
        cli.main(
            ["import", "boundaries", str(f), "--db", str(ref_db), "--name-field", "乡镇", "--valid-from", "2026-01-01"]
        )
        == 0
    )
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
        return con.execute(
            f"select code, township_code, community_code from {table} where list_contains($c, code) order by code",
            {"c": list(codes)},
        ).fetchall()
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
        (result.import_id, "site", "S03", "990101002", "990101002001", "990101001"),
    ]


def test_points_outside_every_township_and_problems_without_coordinates_keep_their_township(placed_db):
    run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    assert places(placed_db, "problem", "P3", "P4", "P5") == [
        ("P3", "990101002", "990101002001"),
        ("P4", "990101002", "990101002001"),
        ("P5", "990101002", "990101002001"),
    ]
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
    # 新区街道在县界之外（为了收下县外停车场 S04）：合理性检查会拒绝，这里只看回滚
    result = run_boundaries(
        placed_db,
        geojson({"新区街道": (117.45, 31.45, 117.55, 31.55)}),
        "新区.geojson",
        create_missing=True,
        force=True,
    )
    assert places(placed_db, "site", "S04") == [("S04", "IMPT0001", None)]
    rollback(placed_db, result.import_id)
    assert without_log(table_hashes(placed_db)) == without_log(before)


def test_an_older_boundary_import_is_rolled_back_only_after_a_later_one_that_moved_the_same_problems(placed_db):
    before = table_hashes(placed_db)
    first = run_boundaries(placed_db, geojson(NEW), "镇街.geojson")
    back = {"城关街道": (117.0, 31.0, 117.1, 31.1), "东坝镇": (117.1, 31.0, 117.2, 31.1)}
    second = run_boundaries(placed_db, geojson(back), "旧界.geojson")
    assert places(placed_db, "problem", "P1", "P2") == [("P1", "990101002", None), ("P2", "990101002", None)]
    with pytest.raises(
        ImportFailed, match=f"后续的边界导入（编号 {second.import_id}）.*请先回滚导入编号 {second.import_id}。"
    ):
        rollback(placed_db, first.import_id)
    rollback(placed_db, second.import_id)
    assert places(placed_db, "problem", "P2") == [("P2", "990101001", "990101001001")]
    rollback(placed_db, first.import_id)
    assert without_log(table_hashes(placed_db)) == without_log(before)


# ---------------------------------------------------------------- 写入前的合理性检查与重新归属试算

# 东坝镇画到了纽约（坐标系或文件选错的样子）；城关街道同 NEW
AWAY = {"城关街道": NEW["城关街道"], "东坝镇": (-74.1, 40.6, -74.0, 40.7)}
# 重新测绘：外沿各挪几百米（合起来比全县大 6%，在容差内），分界东移到 117.11
SHIFTED = {"城关街道": (116.995, 30.998, 117.11, 31.1), "东坝镇": (117.11, 31.0, 117.203, 31.102)}
# placed_db 里问题、点位原来的镇街
PLACED_STATE = {
    "boundary": 3,
    "region": 10,
    "import_log": 0,
    "problem": [(f"P{k}", "990101002") for k in range(1, 7)],
    "site": [("S01", "990101001"), ("S02", "990101002"), ("S03", "990101002"), ("S04", "990101002")],
}


def snapshot(path) -> dict:
    """边界、地区、导入日志的行数，问题与点位各归哪个镇街。"""

    def n(table):
        return q(path, f"select count(*) from {table}")[0][0]

    return {
        "boundary": n("boundary"),
        "region": n("region"),
        "import_log": n("import_log"),
        "problem": q(path, "select code, township_code from problem order by code"),
        "site": q(path, "select code, township_code from site order by code"),
    }


def moved(path) -> list[tuple]:
    return q(path, "select entity, count(*) from region_reassignment group by 1 order by 1")


def test_a_township_moved_to_another_continent_is_refused_and_nothing_is_written(placed_db):
    with pytest.raises(ImportFailed) as exc:
        run_boundaries(placed_db, geojson(AWAY), "镇街.geojson")
    assert str(exc.value) == (
        "边界合理性检查未通过（对照本县现有的县级边界），未导入任何数据：“东坝镇”有 100% 的面积在本县现有范围之外（上限 50%）。"
        "若导入，将重新归属问题 3 条、点位 1 个。确认文件无误时，命令行加 --force、数据管理页勾选“仍然导入（跳过合理性检查）”可强制导入。"
    )
    assert snapshot(placed_db) == PLACED_STATE
    assert not archive_dir(placed_db).exists()


def test_with_force_a_township_on_another_continent_is_imported_and_the_failed_check_noted(placed_db):
    result = run_boundaries(placed_db, geojson(AWAY), "镇街.geojson", force=True)
    assert result.status == "成功" and result.inserted == {"boundary": 2, "region_reassignment": 4}
    assert (
        "合理性检查未通过（对照本县现有的县级边界），已按要求强制导入：“东坝镇”有 100% 的面积在本县现有范围之外（上限 50%）。"
        in result.message
    )
    ((wkb,),) = q(placed_db, "select geom_wkb from boundary where region_code = '990101002' and version = 2")
    assert geo.from_wkb(bytes(wkb)).bounds == (-74.1, 40.6, -74.0, 40.7)
    assert q(placed_db, "select note from import_log") == [("未通过合理性检查，强制导入",)]
    assert archive_dir(placed_db).exists()


def test_the_counts_in_a_refusal_are_what_a_forced_import_then_moves(placed_db):
    with pytest.raises(ImportFailed, match="若导入，将重新归属问题 3 条、点位 1 个。"):
        run_boundaries(placed_db, geojson(AWAY), "镇街.geojson")
    run_boundaries(placed_db, geojson(AWAY), "镇街.geojson", force=True)
    assert moved(placed_db) == [("problem", 3), ("site", 1)]


def test_one_township_covering_the_whole_county_is_refused(ref_db):
    with pytest.raises(
        ImportFailed, match="：“城关街道”盖住了全县 100% 的面积（本县还有别的镇街，一个镇街不应超过 90%）。"
    ):
        run_boundaries(ref_db, geojson({"城关街道": (117.0, 31.0, 117.2, 31.1)}), "镇街.geojson")


def test_a_township_larger_than_the_county_is_refused(ref_db):
    with pytest.raises(
        ImportFailed, match=r"：“城关街道”面积 279\.6 平方公里，比全县（211\.9 平方公里）还大（容差 10%）。"
    ):
        run_boundaries(ref_db, geojson({"城关街道": (116.99, 30.99, 117.21, 31.11)}), "镇街.geojson")


def test_townships_together_larger_than_the_county_are_refused(ref_db):
    # 两个镇街各有三分之一在县外（没到一半），合起来比全县大一半
    wide = {"城关街道": (116.95, 31.0, 117.1, 31.1), "东坝镇": (117.1, 31.0, 117.25, 31.1)}
    with pytest.raises(
        ImportFailed, match=r"：文件中的镇街合起来 317\.8 平方公里，比全县（211\.9 平方公里）还大（容差 10%）。"
    ):
        run_boundaries(ref_db, geojson(wide), "镇街.geojson")


def test_two_heavily_overlapping_townships_are_refused_naming_both(ref_db):
    overlapping = {"城关街道": (117.0, 31.0, 117.15, 31.1), "东坝镇": (117.05, 31.0, 117.2, 31.1)}
    with pytest.raises(ImportFailed, match="：“城关街道”与“东坝镇”重叠 67%（按较小者的面积计，上限 20%）。"):
        run_boundaries(ref_db, geojson(overlapping), "镇街.geojson")


def test_a_re_import_with_slightly_shifted_edges_is_accepted_and_says_how_many_moved(placed_db):
    result = run_boundaries(placed_db, geojson(SHIFTED), "镇街.geojson")
    assert (
        "合理性检查通过（对照本县现有的县级边界）。写入前试算：将重新归属问题 2 条、点位 1 个。"
        "按新边界重新归属了问题 2 条、点位 1 个的镇街"
    ) in result.message
    assert moved(placed_db) == [("problem", 2), ("site", 1)]


def test_the_county_boundary_in_the_file_is_not_taken_for_a_township_covering_the_county(ref_db):
    result = run_boundaries(ref_db, geojson({"甲县": (117.0, 31.0, 117.21, 31.1), **NEW}), "县与镇街.geojson")
    assert result.inserted == {"boundary": 3}
    assert "合理性检查通过（对照本县现有的县级边界）。" in result.message


def test_a_county_boundary_away_from_the_current_one_is_refused(ref_db):
    with pytest.raises(
        ImportFailed,
        match="：本县边界“甲县”有 100% 的面积在现有范围之外（上限 50%），只盖住现有范围的 0%（至少应有 50%）。",
    ):
        run_boundaries(ref_db, geojson({"甲县": (118.0, 31.0, 118.2, 31.1)}), "县界.geojson")


def test_without_any_boundary_in_the_database_there_is_nothing_to_compare(ref_db):
    with db.writer(ref_db) as con:
        con.execute("delete from boundary")
    result = run_boundaries(ref_db, geojson(AWAY), "镇街.geojson")
    assert result.inserted == {"boundary": 2}
    assert "合理性检查通过（库中还没有本县或镇街的边界，无从比较位置与面积，只查了镇街之间的重叠）。" in result.message


def only_chengguan(path):
    """库中只有城关街道的边界：没有县级边界，已有镇街边界不全。"""
    with db.writer(path) as con:
        con.execute("delete from boundary where region_code <> '990101001'")
    return path


def test_a_first_boundary_next_to_the_known_townships_is_accepted(ref_db):
    result = run_boundaries(only_chengguan(ref_db), geojson({"东坝镇": (117.1, 31.0, 117.2, 31.1)}), "东坝.geojson")
    assert "合理性检查通过（对照库中已有的部分镇街边界）。" in result.message


def test_a_first_boundary_far_from_the_known_townships_is_refused(ref_db):
    with pytest.raises(ImportFailed, match="：“东坝镇”离已有的镇街边界 133 公里（上限 100 公里）。"):
        run_boundaries(only_chengguan(ref_db), geojson({"东坝镇": (118.5, 31.0, 118.6, 31.1)}), "东坝.geojson")


def test_cli_force_imports_boundaries_the_checks_refuse(placed_db, tmp_path, capsys):
    f = tmp_path / "b.geojson"
    f.write_bytes(geojson(AWAY))
    argv = ["import", "boundaries", str(f), "--db", str(placed_db), "--valid-from", "2026-01-01"]
    assert cli.main(argv) == 1
    assert "“东坝镇”有 100% 的面积在本县现有范围之外" in capsys.readouterr().err
    assert cli.main([*argv, "--force"]) == 0
    assert "已按要求强制导入" in capsys.readouterr().out
    assert moved(placed_db) == [("problem", 3), ("site", 1)]


def test_one_township_in_two_features_is_refused_with_a_chinese_reason(ref_db):
    before = table_hashes(ref_db)
    raw = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": "城关街道"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[117.0, 31.0], [117.05, 31.0], [117.05, 31.1], [117.0, 31.1], [117.0, 31.0]]],
                    },
                },
                {
                    "type": "Feature",
                    "properties": {"名称": "城关街道"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[117.06, 31.0], [117.1, 31.0], [117.1, 31.1], [117.06, 31.1], [117.06, 31.0]]],
                    },
                },
            ],
        },
        ensure_ascii=False,
    ).encode()
    with pytest.raises(ImportFailed) as err:
        run_boundaries(ref_db, raw, "两块.geojson")
    report = err.value.prepared.report()
    assert report[["行", "列", "值", "原因"]].values.tolist() == [
        [2, "名称", "城关街道", "与第 1 个要素是同一个镇街：请在文件里把它们合并成一个多面（MultiPolygon）"]
    ]
    assert table_hashes(ref_db) == before


def test_boundary_archive_is_private(ref_db):
    import os
    import stat

    result = run_boundaries(ref_db, geojson(NEW), "镇街.geojson", valid_from=date(2026, 1, 1))
    folder = archive_dir(ref_db)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in folder.iterdir()] == [0o600]
    assert result.import_id is not None
