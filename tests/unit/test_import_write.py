"""写入：整批/部分、幂等、拒绝时库不变、回滚、已有问题只追加事件、create-missing、311 工单。"""

from __future__ import annotations

import csv
from datetime import datetime

import pandas as pd
import pytest

from chuangwen import cli
from chuangwen.imports import ImportFailed, mapping, rollback, run_import
from tests.unit._import_helpers import DATA, base_db, counts, csv_bytes, q, row, table_hashes, xlsx_bytes


@pytest.fixture
def ref_db(tmp_path):
    return base_db(tmp_path)


def test_a_clean_ledger_writes_problems_coop_units_and_status_events(ref_db):
    raw = csv_bytes(
        [
            row("A1", 配合单位="交警大队、城关街道"),
            row("A2", 整改状态="已销号", 销号时间="2026-03-05 16:00", 镇街="东坝镇"),
        ]
    )
    result = run_import(ref_db, raw, "台账.csv", "problems")
    assert (result.import_id, result.rows_imported, result.status) == (1, 2, "成功")
    assert q(ref_db, "select code, township_code, lead_unit_code, import_id from problem order by code") == [
        ("A1", "990101001", "D01", 1),
        ("A2", "990101002", "D01", 1),
    ]
    assert q(ref_db, "select problem_code, unit_code from problem_coop_unit order by 2") == [
        ("A1", "D02"),
        ("A1", "T01"),
    ]
    assert q(ref_db, "select problem_code, event_at, action from rectify_event order by problem_code, id") == [
        ("A1", datetime(2026, 3, 1, 9), "交办"),
        ("A2", datetime(2026, 3, 1, 9), "交办"),
        ("A2", datetime(2026, 3, 5, 16), "已销号"),
    ]


def test_the_raw_file_is_archived_next_to_the_database_with_its_hash_logged(ref_db):
    raw = csv_bytes([row("A1")])
    result = run_import(ref_db, raw, "台账.csv", "problems")
    archive = ref_db.with_name(ref_db.name + ".imports") / f"{result.sha256}.csv"
    assert archive.read_bytes() == raw
    assert q(ref_db, "select file_sha256, archive_path, rows_total, rows_imported from import_log") == [
        (result.sha256, str(archive), 1, 1)
    ]


def test_reimporting_the_same_file_adds_nothing(ref_db):
    raw = csv_bytes([row("A1"), row("A2", 整改状态="整改中")])
    run_import(ref_db, raw, "台账.csv", "problems")
    before = counts(ref_db)
    again = run_import(ref_db, raw, "台账.csv", "problems")
    assert again.status == "已导入过" and counts(ref_db) == before


def test_reimporting_the_same_rows_in_another_file_adds_nothing(ref_db):
    run_import(ref_db, csv_bytes([row("A1"), row("A2", 整改状态="整改中")]), "台账.csv", "problems")
    before = counts(ref_db)
    again = run_import(
        ref_db, csv_bytes([row("A2", 整改状态="整改中"), row("A1")], encoding="gbk"), "台账-另存.csv", "problems"
    )
    assert (again.status, again.rows_skipped) == ("无新数据", 2)
    assert counts(ref_db) == before


def test_a_newer_version_of_a_problem_appends_an_event_and_keeps_the_original_row(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "v1.csv", "problems")
    newer = run_import(
        ref_db,
        csv_bytes([row("A1", 整改状态="已销号", 销号时间="2026-03-08 10:00", 问题描述="改写的描述")]),
        "v2.csv",
        "problems",
    )
    assert newer.inserted == {"rectify_event": 1}
    assert q(ref_db, "select description, import_id from problem") == [("占道经营", 1)]
    assert q(ref_db, "select action, event_at, import_id from rectify_event order by id") == [
        ("交办", datetime(2026, 3, 1, 9), 1),
        ("已销号", datetime(2026, 3, 8, 10), 2),
    ]
    notes = newer.prepared.report()
    assert notes[notes["级别"] == "提示"]["列"].tolist() == ["问题描述"]


def test_a_file_with_one_bad_row_is_rejected_and_every_table_stays_identical(ref_db):
    before = table_hashes(ref_db)
    raw = csv_bytes([row("A1"), row("A2", 发现时间="2026-02-30"), row("A3", 牵头单位="不存在局")])
    with pytest.raises(ImportFailed) as exc:
        run_import(ref_db, raw, "台账.csv", "problems")
    assert "未导入任何数据" in str(exc.value)
    report = exc.value.prepared.report()
    assert report[["行", "列", "值"]].values.tolist() == [[3, "发现时间", "2026-02-30"], [4, "牵头单位", "不存在局"]]
    assert table_hashes(ref_db) == before
    assert not ref_db.with_name(ref_db.name + ".imports").exists()


def test_partial_import_writes_the_valid_rows_and_returns_the_rejects(ref_db):
    raw = csv_bytes([row("A1"), row("A2", 严重程度="特别严重"), row("A1", 问题描述="占道经营（另一条）")])
    result = run_import(ref_db, raw, "台账.csv", "problems", partial=True)
    assert (result.status, result.rows_imported, result.rows_rejected) == ("部分导入", 1, 2)
    assert q(ref_db, "select code, description from problem") == [("A1", "占道经营")]  # 同号不同内容：后一行被拒
    rejects = result.prepared.rejects()
    assert rejects["行"].tolist() == [3, 4]
    assert rejects["拒绝原因"].tolist()[1].startswith("问题编号：与第 2 行问题编号相同但内容不同")


def test_exact_duplicate_rows_are_skipped_with_a_count_and_the_import_goes_on(ref_db):
    """真实导出里常有整行重复的记录：不是错误，跳过并说明跳过了哪几行。"""
    raw = csv_bytes([row("A1"), row("A2"), row("A1"), row("A2"), row("A1")])
    result = run_import(ref_db, raw, "重复导出.csv", "problems")
    assert (result.status, result.rows_rejected, result.rows_skipped) == ("成功", 0, 3)
    assert q(ref_db, "select code from problem order by 1") == [("A1",), ("A2",)]
    notes = [i["原因"] for i in result.prepared.issues if i["级别"] == "提示"]
    assert "3 行与前面的某一行完全相同（如重复导出的记录），已跳过：第 4、5、6 行" in notes
    assert "其中 3 行与库中（或文件中前面的行）相同已跳过" in result.message


def test_same_code_with_different_content_names_both_rows(ref_db):
    with pytest.raises(ImportFailed) as exc:
        run_import(ref_db, csv_bytes([row("A1"), row("A2"), row("A1", 严重程度="较重")]), "冲突.csv", "problems")
    errors = [(i["行"], i["列"], i["原因"]) for i in exc.value.prepared.issues if i["级别"] == "错误"]
    assert errors == [(4, "问题编号", "与第 2 行问题编号相同但内容不同；同一问题只能有一行（请核对哪一行是对的）")]


@pytest.mark.parametrize(
    "change, column, reason",
    [
        ({"问题编号": ""}, "问题编号", "必填，不能为空"),
        ({"整改期限": "2026-02-01"}, "整改期限", "整改期限早于发现时间"),
        ({"来源": "路人"}, "来源", "取值不在允许范围内"),
        ({"整改状态": "已销号"}, "销号时间", "整改状态为已销号时必须填写销号时间"),
        ({"镇街": "月球镇"}, "镇街", "库中没有这个镇街"),
        ({"问题类别": "外星垃圾"}, "问题类别", "库中没有这个问题类别"),
        ({"经度": "118.5", "纬度": "31.05"}, "经度", "不在本县边界内"),
        ({"经度": "117.1", "纬度": ""}, "经度", "经度与纬度应同时填写"),
        ({"经度": "东经117"}, "经度", "经度应为数字"),
    ],
)
def test_each_rule_reports_row_column_value_and_reason(ref_db, change, column, reason):
    with pytest.raises(ImportFailed) as exc:
        run_import(ref_db, csv_bytes([row("A1", **change)]), "台账.csv", "problems")
    report = exc.value.prepared.report()
    hit = report[report["列"] == column]
    assert hit["行"].tolist()[:1] == [2] and reason in hit["原因"].tolist()[0]
    assert set(report.columns) == {"级别", "文件", "工作表", "行", "列", "值", "原因"}


def test_gcj02_coordinates_are_converted_and_the_township_comes_from_the_boundary(ref_db):
    raw = csv_bytes([row("A1", 镇街="", 经度="117.1655", 纬度="31.0581")])
    run_import(ref_db, raw, "台账.csv", "problems", crs="GCJ02")
    ((town, lon, lat, crs, lon_src),) = q(ref_db, "select township_code, lon, lat, crs_source, lon_source from problem")
    assert (town, crs, lon_src) == ("990101002", "GCJ02", 117.1655)
    assert abs(lon - 117.16) < 0.001 and abs(lat - 31.06) < 0.001


def test_rollback_restores_every_table_to_the_state_before_the_import(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "v1.csv", "problems")
    before = table_hashes(ref_db)
    second = run_import(
        ref_db,
        csv_bytes([row("A2", 问题类别="新类别", 牵头单位="新单位", 镇街="新镇")]),
        "v2.csv",
        "problems",
        create_missing=True,
    )
    assert counts(ref_db)["problem"] == 2
    rollback(ref_db, second.import_id)
    after = table_hashes(ref_db)
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"
    }
    assert q(ref_db, "select id, status from import_log order by id") == [(1, "成功"), (2, "已回滚")]


def test_rollback_of_an_import_that_a_later_import_builds_on_is_refused(ref_db):
    first = run_import(ref_db, csv_bytes([row("A1")]), "v1.csv", "problems")
    run_import(ref_db, csv_bytes([row("A1", 整改状态="整改中")]), "v2.csv", "problems")
    with pytest.raises(ImportFailed, match="请先回滚"):
        rollback(ref_db, first.import_id)


def test_after_rollback_the_same_file_can_be_imported_again(ref_db):
    raw = csv_bytes([row("A1")])
    first = run_import(ref_db, raw, "v1.csv", "problems")
    rollback(ref_db, first.import_id)
    again = run_import(ref_db, raw, "v1.csv", "problems")
    assert again.status == "成功" and counts(ref_db)["problem"] == 1


def test_events_file_appends_events_and_skips_ones_already_there(ref_db):
    run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    ev = csv_bytes(
        [
            {"问题编号": "A1", "时间": "2026-03-02 10:00", "动作": "整改中", "操作单位": "城管局", "说明": "已清理"},
            {"问题编号": "A1", "时间": "2026-03-01 09:00", "动作": "交办", "操作单位": "城管局", "说明": ""},
        ]
    )
    result = run_import(ref_db, ev, "记录.csv", "events")
    assert (result.inserted, result.rows_skipped) == ({"rectify_event": 1}, 1)
    assert q(ref_db, "select action, note from rectify_event order by event_at") == [
        ("交办", None),
        ("整改中", "已清理"),
    ]


def test_units_file_adds_new_units_with_generated_codes(ref_db):
    raw = csv_bytes(
        [
            {"单位名称": "文旅局", "单位编码": "", "条块": "条", "单位类型": "政府部门", "所属镇街": ""},
            {"单位名称": "城管局", "单位编码": "", "条块": "条", "单位类型": "政府部门", "所属镇街": ""},
        ]
    )
    result = run_import(ref_db, raw, "单位.csv", "units")
    assert (result.inserted, result.rows_skipped) == ({"unit": 1}, 1)
    assert q(ref_db, "select code, kind from unit where name = '文旅局'") == [("IMPU0001", "条")]


def test_an_xlsx_ledger_with_date_cells_and_serials_imports(ref_db):
    header = ["问题编号", "发现时间", "来源", "问题类别", "问题描述", "严重程度", "牵头单位", "整改期限"]
    raw = xlsx_bytes(
        [
            header,
            ["X1", datetime(2026, 3, 1, 9), "县自查", "出店经营", "占道", "一般", "城管局", 46091],
            ["X2", "2026年3月1日", "县自查", "出店经营", "占道", "一般", "城管局", "2026.3.10"],
        ],
        blank_tail=3,
    )
    run_import(ref_db, raw, "台账.xlsx", "problems")
    assert q(ref_db, "select code, found_at, deadline from problem order by code") == [
        ("X1", datetime(2026, 3, 1, 9), datetime(2026, 3, 10)),
        ("X2", datetime(2026, 3, 1), datetime(2026, 3, 10)),
    ]


# ---------------------------------------------------------------- 命令行与 311 工单（另一国家的系统）


def _expected_311_flags(as_of: datetime) -> dict[str, str]:
    """独立地按 311 系统自己的口径算：已关闭且晚于到期 = 逾期关闭；未关闭且到期早于统计时刻 = 逾期；否则按期。"""
    fmt = "%m/%d/%Y %I:%M:%S %p"
    out = {}
    with open(DATA / "nyc311_sample.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r["case_id"]:
                continue
            due = datetime.strptime(r["due_date"], fmt) if r["due_date"] else None
            closed = datetime.strptime(r["closed"], fmt) if r["closed"] else None
            if r["status"] == "Closed":
                out[r["case_id"]] = "逾期销号" if due and closed > due else "否"
            else:
                out[r["case_id"]] = "逾期" if due and due < as_of else "否"
    return out


def test_311_csv_imports_into_an_empty_database_and_export_reproduces_its_flags(tmp_path, capsys):
    path = tmp_path / "empty.duckdb"
    assert cli.main(["init", "--db", str(path)]) == 0
    code = cli.main(
        [
            "import",
            "problems",
            str(DATA / "nyc311_sample.csv"),
            "--db",
            str(path),
            "--mapping",
            str(DATA / "nyc311_mapping.toml"),
            "--create-missing",
        ]
    )
    assert code == 0, capsys.readouterr().err
    out = tmp_path / "out.csv"
    as_of = datetime(2025, 6, 30, 17, 0)
    assert cli.main(["export", "problems", "--db", str(path), "--as-of", "2025-06-30 17:00", "--out", str(out)]) == 0
    exported = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    got = dict(zip(exported["问题编号"], exported["是否逾期"]))
    expected = _expected_311_flags(as_of)
    assert len(got) == 40 and got == expected
    assert sorted(set(expected.values())) == ["否", "逾期", "逾期销号"]
    # 它的地址（点位）按名称与坐标新增：每个不同地址一个点位，问题都挂上了；没有镇街与边界的新库挂在“待补充镇街”下
    source = pd.read_csv(DATA / "nyc311_sample.csv", dtype=str)
    assert q(path, "select count(*), count(distinct township_code) from site") == [(source["address"].nunique(), 1)]
    assert q(path, "select count(*) from problem where site_code is null") == [(int(source["address"].isna().sum()),)]
    assert q(path, "select name from region where level = '镇街'") == [("待补充镇街（导入时自动添加）",)]
    # chuangwen info：库里没写数据截至时，按看板的同一规则（最晚的发现、整改时间或有成绩的测评结束日）写出来，并说明是推导的
    capsys.readouterr()
    assert cli.main(["info", "--db", str(path)]) == 0
    latest = q(
        path,
        "select strftime(greatest(max(found_at), (select max(event_at) from rectify_event)), "
        "'%Y-%m-%d %H:%M:%S') from problem",
    )[0][0]
    assert f"数据截至：{latest}（库里没有写明，按最晚的发现、整改时间或有成绩的测评结束日）" in capsys.readouterr().out


def test_cli_import_failure_exits_non_zero_with_the_report(ref_db, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("A1", 严重程度="很严重")]))
    assert cli.main(["import", "problems", str(bad), "--db", str(ref_db)]) == 1
    err = capsys.readouterr().err
    assert "未导入任何数据" in err and "错误｜bad.csv 第 2 行｜严重程度｜值“很严重”" in err


def test_cli_rollback_by_id(ref_db, tmp_path, capsys):
    f = tmp_path / "a.csv"
    f.write_bytes(csv_bytes([row("A1")]))
    assert cli.main(["import", "problems", str(f), "--db", str(ref_db)]) == 0
    assert cli.main(["import", "rollback", "1", "--db", str(ref_db)]) == 0
    assert "已回滚导入编号 1" in capsys.readouterr().out
    assert counts(ref_db)["problem"] == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("台账.pdf", b"%PDF", "不支持的文件类型"),
        ("台账.csv", b"", "文件是空的"),
        (
            "台账.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le"),
            "设有打开密码",
        ),
    ],
)
def test_cli_bad_files_give_a_chinese_message_and_write_nothing(ref_db, tmp_path, capsys, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    before = table_hashes(ref_db)
    assert cli.main(["import", "problems", str(f), "--db", str(ref_db)]) == 1
    assert message in capsys.readouterr().err
    assert table_hashes(ref_db) == before


def test_cli_refuses_a_200_mb_file_without_reading_it(ref_db, tmp_path, capsys):
    f = tmp_path / "大台账.xlsx"
    with open(f, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # 稀疏文件：不占磁盘
    before = table_hashes(ref_db)
    assert cli.main(["import", "problems", str(f), "--db", str(ref_db)]) == 1
    assert "文件过大：大台账.xlsx 有 200.0 MB，上限 100 MB" in capsys.readouterr().err
    assert table_hashes(ref_db) == before


def test_mapping_accepts_unquoted_chinese_keys_as_the_issue_writes_them():
    m = mapping.parse('[columns]\n问题编号 = "case_id"\n[values.整改状态]\n"Open" = "已交办"\n', "problems")
    assert (m.columns, m.values) == ({"问题编号": "case_id"}, {"整改状态": {"Open": "已交办"}})


def test_mapping_naming_a_non_template_column_is_refused_in_chinese():
    with pytest.raises(mapping.MappingError, match="不是“问题台账”模板的列"):
        mapping.parse('[columns]\n编号 = "case_id"\n', "problems")


SITE = {
    "点位名称": "北门菜市场",
    "点位编码": "",
    "点位类型": "农贸市场",
    "镇街": "城关街道",
    "社区": "南门社区",
    "地址": "北门路 2 号",
    "经度": "117.05",
    "纬度": "31.05",
    "坐标系": "",
}


def test_sites_file_adds_sites_with_wgs84_and_source_coordinates(ref_db):
    raw = csv_bytes([SITE, {**SITE, "点位名称": "南门农贸市场"}])
    result = run_import(ref_db, raw, "点位.csv", "sites")
    assert (result.inserted, result.rows_skipped) == ({"site": 1}, 1)
    assert q(
        ref_db,
        "select code, site_type, township_code, community_code, lon, crs_source from site where name = '北门菜市场'",
    ) == [("IMPS0001", "农贸市场", "990101001", "990101001001", 117.05, "WGS84")]


def test_sites_with_a_new_type_and_township_roll_back_cleanly(ref_db):
    before = table_hashes(ref_db)
    raw = csv_bytes([{**SITE, "点位类型": "新时代文明实践站", "镇街": "新镇", "社区": "新村", "经度": "", "纬度": ""}])
    result = run_import(ref_db, raw, "点位.csv", "sites", create_missing=True)
    assert result.inserted == {"region": 2, "site_type": 1, "site": 1}
    rollback(ref_db, result.import_id)
    after = table_hashes(ref_db)
    assert {k: v for k, v in after.items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"
    }


def test_a_problem_ledger_can_name_an_imported_site(ref_db):
    run_import(ref_db, csv_bytes([SITE]), "点位.csv", "sites")
    run_import(ref_db, csv_bytes([row("A1", 点位名称="北门菜市场", 镇街="")]), "台账.csv", "problems")
    assert q(ref_db, "select site_code, township_code from problem") == [("IMPS0001", "990101001")]


def test_coop_units_split_on_office_separators_and_line_breaks_but_not_on_slash(ref_db):
    from chuangwen.imports.checks import split_names

    assert split_names("交警大队、城关街道，住建局,  水务局；教育局;文旅局\n卫健局\r\n") == [
        "交警大队",
        "城关街道",
        "住建局",
        "水务局",
        "教育局",
        "文旅局",
        "卫健局",
    ]
    raw = csv_bytes([row("A1", 配合单位="交通运输局/公路事业发展中心、<script>alert(1)</script>")])
    run_import(ref_db, raw, "台账.csv", "problems", create_missing=True)
    created = q(ref_db, "select u.name from problem_coop_unit c join unit u on u.code = c.unit_code order by 1")
    assert created == [("<script>alert(1)</script>",), ("交通运输局/公路事业发展中心",)]


def test_the_archive_folder_and_files_are_private_even_if_the_folder_existed_open(ref_db):
    import os
    import stat

    folder = ref_db.with_name(ref_db.name + ".imports")
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    result = run_import(ref_db, csv_bytes([row("A1")]), "台账.csv", "problems")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / f"{result.sha256}.csv").st_mode) == 0o600


def test_export_keeps_seconds_so_a_41_second_late_closure_is_visible(ref_db, tmp_path):
    raw = csv_bytes(
        [
            row(
                "S1",
                found="2026-03-01 09:00:00",
                整改期限="2026-03-10 15:11:00",
                整改状态="已销号",
                销号时间="2026-03-10 15:11:41",
            )
        ]
    )
    run_import(ref_db, raw, "秒.csv", "problems")
    out = tmp_path / "秒.csv"
    assert cli.main(["export", "problems", "--db", str(ref_db), "--as-of", "2026-03-31 00:00", "--out", str(out)]) == 0
    exported = pd.read_csv(out, dtype=str, encoding="utf-8-sig").set_index("问题编号").loc["S1"]
    assert (exported["整改期限"], exported["销号时间"], exported["是否逾期"]) == (
        "2026-03-10 15:11:00",
        "2026-03-10 15:11:41",
        "逾期销号",
    )


def test_messages_quote_what_the_user_typed_as_well_as_the_parsed_value(ref_db):
    raw = csv_bytes([row("Q1", found="2026年3月5日", 整改期限="2026年3月1日")])
    with pytest.raises(ImportFailed) as exc:
        run_import(ref_db, raw, "原文.csv", "problems")
    hit = [i for i in exc.value.prepared.issues if i["列"] == "整改期限"]
    assert hit[0]["值"] == "2026年3月1日（解析为 2026-03-01）" and hit[0]["原因"] == "整改期限早于发现时间"


def test_a_number_is_quoted_as_typed_not_as_a_float(tmp_path):
    path = base_db(tmp_path)
    raw = csv_bytes([{"测评轮次": "R2026-06-ZA", "单位": "乙县", "总分": "999"}], header=["测评轮次", "单位", "总分"])
    with pytest.raises(ImportFailed) as exc:
        run_import(path, raw, "分.csv", "scores")
    assert [(i["列"], i["值"]) for i in exc.value.prepared.issues if i["级别"] == "错误"] == [("总分", "999")]


HEADER_WITH_SITE = [
    "问题编号",
    "发现时间",
    "来源",
    "问题类别",
    "镇街",
    "经度",
    "纬度",
    "点位名称",
    "点位类型",
    "问题描述",
    "严重程度",
    "牵头单位",
    "配合单位",
    "整改期限",
    "整改状态",
    "销号时间",
]


def test_create_missing_makes_sites_from_a_ledger_with_names_and_coordinates(ref_db):
    """12345 导出：点位名称 + 坐标。同名相距几米是一个点位；同名相距很远是两个（后者名称加“（2）”）；同一坐标不同名是两个。"""
    rows = [
        row("P1", 镇街="", 经度="117.16", 纬度="31.06", 点位名称="南门公厕", 点位类型="公共厕所"),
        row("P2", 镇街="", 经度="117.16003", 纬度="31.06001", 点位名称="南门公厕", 点位类型="公共厕所"),  # 约 3 米
        row("P3", 镇街="", 经度="117.16", 纬度="31.06", 点位名称="南门公交站", 点位类型="公交站"),  # 同坐标不同名
        row(
            "P4", 镇街="", 经度="117.1655", 纬度="31.0581", 点位名称="南门公厕", 点位类型="公共厕所"
        ),  # 同名约 800 米外
    ]
    header = [*HEADER_WITH_SITE]
    res = run_import(ref_db, csv_bytes(rows, header=header), "12345.csv", "problems", create_missing=True)
    sites = q(
        ref_db,
        "select code, name, site_type, township_code, crs_source from site where code like 'IMPS%' order by code",
    )
    assert [(n, t, town) for _, n, t, town, _ in sites] == [
        ("南门公厕", "公共厕所", "990101002"),
        ("南门公交站", "公交站", "990101002"),
        ("南门公厕（2）", "公共厕所", "990101002"),
    ]
    by_problem = dict(q(ref_db, "select code, site_code from problem"))
    assert by_problem["P1"] == by_problem["P2"] != by_problem["P4"] and by_problem["P3"] != by_problem["P1"]
    notes = [i["值"] for i in res.prepared.issues if i["级别"] == "提示" and i["列"] == "点位"]
    assert notes == ["南门公厕", "南门公交站", "南门公厕（2）"]
    rollback(ref_db, res.import_id)
    assert q(ref_db, "select count(*) from site where code like 'IMPS%'") == [(0,)]


def test_a_new_site_needs_a_type_and_a_site_outside_the_county_is_refused_with_the_distance(ref_db):
    rows = [
        row("P1", 镇街="", 经度="117.16", 纬度="31.06", 点位名称="无类型的点位", 点位类型=""),
        row("P2", 镇街="", 经度="118.5", 纬度="31.05", 点位名称="县外的点位", 点位类型="公交站"),
    ]
    with pytest.raises(ImportFailed) as exc:
        run_import(ref_db, csv_bytes(rows, header=HEADER_WITH_SITE), "坏点位.csv", "problems", create_missing=True)
    errors = {i["行"]: (i["列"], i["原因"]) for i in exc.value.prepared.issues if i["级别"] == "错误"}
    assert errors[2][0] == "点位名称" and errors[2][1].startswith("新增点位“无类型的点位”还缺：点位类型")
    assert errors[3][0] == "经度" and "不在本县边界内，离县界约" in errors[3][1] and errors[3][1].endswith("公里")


def test_rows_of_one_site_with_and_without_coordinates_are_one_site(ref_db):
    rows = [
        row("M1", 镇街="城关街道", 点位名称="甲路背街小巷", 点位类型="背街小巷"),  # 先出现、没有坐标
        row("M2", 镇街="", 经度="117.16", 纬度="31.06", 点位名称="甲路背街小巷", 点位类型="背街小巷"),
        row("M3", 镇街="城关街道", 点位名称="甲路背街小巷", 点位类型="背街小巷"),
    ]
    run_import(ref_db, csv_bytes(rows, header=HEADER_WITH_SITE), "混合.csv", "problems", create_missing=True)
    sites = q(ref_db, "select code, name, lon is not null from site where code like 'IMPS%'")
    assert [(n, has) for _, n, has in sites] == [("甲路背街小巷", True)]
    assert q(ref_db, "select count(distinct site_code) from problem where code like 'M%'") == [(1,)]


def test_sites_of_rejected_rows_are_not_created_in_a_partial_import(ref_db):
    rows = [
        row("R1", 镇街="", 经度="117.16", 纬度="31.06", 点位名称="好点位", 点位类型="公交站"),
        row(
            "R2", 镇街="", 经度="117.161", 纬度="31.061", 点位名称="坏行的点位", 点位类型="公交站", 严重程度="特别严重"
        ),
    ]
    run_import(
        ref_db, csv_bytes(rows, header=HEADER_WITH_SITE), "部分.csv", "problems", create_missing=True, partial=True
    )
    assert q(ref_db, "select name from site where code like 'IMPS%'") == [("好点位",)]
