"""每条规则只有一处（Issue 28 第 5 部分）：本县（settings.our_county）、数据截至（app_meta 的规则，chuangwen info 同用）、
边界版本的生效日期取自数据而不是系统时钟；每条在小库上给出确切的答案。"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import geopandas as gpd
import pytest
from shapely.geometry import box

from chuangwen import cli, queries, settings, statedb
from chuangwen.imports import ImportFailed
from chuangwen.imports.boundaries import run_boundaries
from chuangwen.view import View
from tests.builders import fixture_db

# tiny 的本县甲县（990101）与两个镇街的范围（与 tests/data 的边界同一块地）
COUNTY = (117.0, 31.0, 117.2, 31.1)
TOWNS = {"城关街道": (117.0, 31.0, 117.1, 31.1), "东坝镇": (117.1, 31.0, 117.2, 31.1)}


def geojson(features: dict[str, tuple], **columns) -> bytes:
    gdf = gpd.GeoDataFrame({"名称": list(features), **columns}, geometry=[box(*b) for b in features.values()], crs=4326)
    return gdf.to_json().encode("utf-8")


def execute(path, *sql: str) -> None:
    with duckdb.connect(str(path)) as con:
        for s in sql:
            con.execute(s)


def fetch(path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


@pytest.fixture
def bare_tiny(tmp_path):
    """tiny 库去掉边界、去掉 meta 里的本县：像一个刚导入了台账、还没选本县、也还没有边界的库。"""
    path = fixture_db(tmp_path / "tiny.duckdb", "tiny")
    execute(path, "delete from boundary", "delete from meta where key = 'our_region_code'")
    return path


# ---------------------------------------------------------------- 本县


def test_our_county_prefers_the_office_setting_then_the_environment_then_meta(monkeypatch):
    meta = {"our_region_code": "990103"}
    monkeypatch.delenv("CHUANGWEN_OUR_CODE", raising=False)
    assert settings.our_county({"our_region_code": "990101"}, meta) == "990101"
    assert settings.our_county({}, meta) == "990103"
    assert settings.our_county(None, {}) == ""
    monkeypatch.setenv("CHUANGWEN_OUR_CODE", "990102")
    assert settings.our_county({}, meta) == "990102"
    assert settings.our_county({"our_region_code": "990101"}, meta) == "990101"


def test_a_county_chosen_in_the_dashboard_lets_a_county_and_township_file_import(bare_tiny):
    # 此前：本县只在库的设置里（看板里选的）时，导入认不出文件里的“甲县”，当作一个盖住全县的镇街拒绝
    statedb.set_office_setting(bare_tiny, "our_region_code", "990101", by="测试")
    result = run_boundaries(bare_tiny, geojson({"甲县": COUNTY, **TOWNS}), "县与镇街.geojson")
    assert result.status == "成功"
    assert fetch(bare_tiny, "select region_code, version from boundary order by 1") == [
        ("990101", 1),
        ("990101001", 1),
        ("990101002", 1),
    ]


def test_info_and_the_dashboard_name_the_same_county(bare_tiny, capsys, monkeypatch):
    monkeypatch.delenv("CHUANGWEN_OUR_CODE", raising=False)
    statedb.set_office_setting(bare_tiny, "our_region_code", "990102", by="测试")
    assert cli.main(["info", "--db", str(bare_tiny)]) == 0
    assert "本县：乙县（990102，库的设置）" in capsys.readouterr().out
    with duckdb.connect(str(bare_tiny), read_only=True) as con:
        view = View.of_store(con, chosen=statedb.office_settings(bare_tiny))
    assert (view.county_code, view.county_name) == ("990102", "乙县")


# ---------------------------------------------------------------- 数据截至


def test_a_database_with_scores_only_has_the_same_cutoff_in_info_and_the_dashboard(tmp_path, capsys):
    path = fixture_db(tmp_path / "rank.duckdb", "rank")
    execute(path, "delete from meta where key = 'data_cutoff'")
    # 没有问题与整改记录：有成绩的最晚一轮（2025年度测评）的结束日
    with duckdb.connect(str(path), read_only=True) as con:
        assert View.of_store(con).cutoff == datetime(2025, 10, 20)
    assert cli.main(["info", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "数据截至：2025-10-20 00:00:00（库里没有写明，按最晚的发现、整改时间或有成绩的测评结束日）" in out


# ---------------------------------------------------------------- 边界的生效日期


def boundary_dates(path) -> list[tuple]:
    return fetch(path, "select region_code, version, valid_from from boundary order by 1, 2")


def test_a_first_boundary_without_a_date_is_valid_from_the_datas_first_day(bare_tiny):
    # tiny 最早的是 2024年度测评的开始日 2024-10-14（问题与整改都在 2026 年）
    result = run_boundaries(bare_tiny, geojson(TOWNS), "镇街.geojson")
    assert "首版边界自数据的第一天 2024-10-14 起生效" in result.message
    assert boundary_dates(bare_tiny) == [("990101001", 1, date(2024, 10, 14)), ("990101002", 1, date(2024, 10, 14))]


def test_boundaries_imported_after_the_data_draw_the_map_for_the_datas_first_month(bare_tiny):
    statedb.set_office_setting(bare_tiny, "our_region_code", "990101", by="测试")
    run_boundaries(bare_tiny, geojson({"甲县": COUNTY, **TOWNS}), "县与镇街.geojson")
    with duckdb.connect(str(bare_tiny), read_only=True) as con:
        drawn = queries.run(con, "hotspot_boundaries", {"county": "990101", "as_of": datetime(2024, 11, 13, 18)})
    assert drawn["name"].tolist() == ["甲县", "城关街道", "东坝镇"]


def test_the_files_stated_date_is_used(bare_tiny):
    result = run_boundaries(bare_tiny, geojson(TOWNS, 生效日期=["2025-03-01", "2025-03-01"]), "镇街.geojson")
    assert "生效日期 2025-03-01（文件的“生效日期”字段）" in result.message
    assert {d for _, _, d in boundary_dates(bare_tiny)} == {date(2025, 3, 1)}


def test_a_date_given_at_import_wins_over_the_file(bare_tiny):
    run_boundaries(bare_tiny, geojson(TOWNS, 生效日期=["2025-03-01"] * 2), "镇街.geojson", valid_from=date(2025, 5, 1))
    assert {d for _, _, d in boundary_dates(bare_tiny)} == {date(2025, 5, 1)}


def test_a_new_version_without_a_date_is_refused_with_a_sentence_and_nothing_written(bare_tiny):
    run_boundaries(bare_tiny, geojson(TOWNS), "镇街.geojson")
    before = boundary_dates(bare_tiny)
    moved = {"城关街道": (117.0, 31.0, 117.11, 31.1), "东坝镇": (117.11, 31.0, 117.2, 31.1)}
    with pytest.raises(ImportFailed) as err:
        run_boundaries(bare_tiny, geojson(moved), "新镇街.geojson")
    assert str(err.value).startswith(
        "新镇街.geojson：库里已有城关街道、东坝镇的边界，这份文件是它们的新一版，但没有写明从哪天起生效，未导入任何数据。"
    )
    assert boundary_dates(bare_tiny) == before
    run_boundaries(bare_tiny, geojson(moved), "新镇街.geojson", valid_from=date(2026, 11, 1))
    assert boundary_dates(bare_tiny)[1] == ("990101001", 2, date(2026, 11, 1))


@pytest.mark.parametrize(
    ("dates", "said"),
    [
        (["2025-03-01", "明年"], "镇街.geojson：第 2 个要素的“生效日期”不是日期（“明年”）"),
        (
            ["2025-03-01", "2025-04-01"],
            "镇街.geojson：各要素的“生效日期”不同（第 1 个要素 2025-03-01、第 2 个要素 2025-04-01）",
        ),
    ],
)
def test_a_bad_or_mixed_stated_date_is_refused_naming_the_feature(bare_tiny, dates, said):
    with pytest.raises(ImportFailed) as err:
        run_boundaries(bare_tiny, geojson(TOWNS, 生效日期=dates), "镇街.geojson")
    assert str(err.value).startswith(said)
    assert boundary_dates(bare_tiny) == []
