"""测评体系、测评成绩、扣分明细的导入：极小数据、手算答案。

参考库（tests/data/imports）：T版体系 100 分（板块 1 公共文明 100；项目 1.1 市容环境 60、1.2 宣传氛围 40；
标准 1.1.1.1 分值 60、1.2.1.1 分值 40）；轮次 R2024-ND、R2025-ND、R2026-06-ZA；
本县 R2025-ND 已扣 1.1.1.1 8 分（编号 1）、1.2.1.1 4 分（编号 2）。
"""

from __future__ import annotations

import duckdb
import pytest

from chuangwen.imports import assessment, published_ranks, write
from tests.unit._import_helpers import base_db, csv_bytes, q, table_hashes


def fails(path, raw, name, kind, **kw) -> write.ImportFailed:
    before = table_hashes(path)
    with pytest.raises(write.ImportFailed) as exc:
        write.run_import(path, raw, name, kind, **kw)
    assert table_hashes(path) == before  # 被拒的文件：库中各表逐字节不变
    return exc.value


def reasons(err: write.ImportFailed) -> list[tuple]:
    return [(i["行"], i["列"], i["原因"]) for i in err.prepared.issues if i["级别"] == "错误"]


# ---------------------------------------------------------------- 测评体系

FW = ["版本", "编号", "层级", "名称", "分值", "测评方法", "点位类型", "问题类别", "牵头单位", "体系名称", "生效日期"]


def fw_row(code, level, name, points, method="", **kw):
    r = {
        "版本": "2026版",
        "编号": code,
        "层级": level,
        "名称": name,
        "分值": points,
        "测评方法": method,
        "点位类型": "",
        "问题类别": "",
        "牵头单位": "",
        "体系名称": "",
        "生效日期": "",
    }
    r.update(kw)
    return r


NEW_EDITION = [
    fw_row("1", "板块", "公共文明", 70, 体系名称="测试体系（2026年版）", 生效日期="2026年1月1日"),
    fw_row("1.1", "测评项目", "市容环境", 70),
    fw_row("1.1.1", "测评内容", "农贸市场", 70),
    fw_row(
        "1.1.1.1",
        "测评标准",
        "无出店经营",
        40,
        "实地考察",
        点位类型="农贸市场、背街小巷",
        问题类别="出店经营",
        牵头单位="城管局",
    ),
    fw_row("1.1.1.2", "测评标准", "地面干净", 30, "实地考察"),
    fw_row("2", "板块", "网上申报", 30),
]


def test_framework_new_edition_is_stored_with_total_from_boards(tmp_path):
    path = base_db(tmp_path)
    res = write.run_import(path, csv_bytes(NEW_EDITION, header=FW), "体系.csv", "framework")
    assert res.inserted == {"framework_edition": 1, "framework_node": 6}
    assert q(
        path,
        "select edition, name, scope, effective_from::varchar, total_points from framework_edition where edition = '2026版'",
    ) == [("2026版", "测试体系（2026年版）", "县级", "2026-01-01", 100.0)]
    assert q(
        path,
        "select code, parent_code, level, points, method, site_types, category, lead_unit_code from framework_node "
        "where edition = '2026版' order by sort_order",
    ) == [
        ("1", None, "板块", 70.0, None, None, None, None),
        ("1.1", "1", "测评项目", 70.0, None, None, None, None),
        ("1.1.1", "1.1", "测评内容", 70.0, None, None, None, None),
        ("1.1.1.1", "1.1.1", "测评标准", 40.0, "实地考察", ["农贸市场", "背街小巷"], "出店经营", "D01"),
        ("1.1.1.2", "1.1.1", "测评标准", 30.0, "实地考察", None, None, None),
        ("2", None, "板块", 30.0, None, None, None, None),
    ]
    # 同一内容另存为新文件再导入：全部与库中相同，不新增
    again = write.run_import(path, csv_bytes(NEW_EDITION, header=FW, encoding="gbk"), "体系-另存.csv", "framework")
    assert (again.status, again.rows_skipped) == ("无新数据", 6)


def test_framework_existing_edition_is_not_rewritten(tmp_path):
    path = base_db(tmp_path)
    rows = [fw_row("1.1", "测评项目", "市容环境（改）", 60, 版本="T版")]
    err = fails(path, csv_bytes(rows, header=FW), "改.csv", "framework")
    assert reasons(err) == [
        (
            2,
            "编号",
            "库中版本“T版”已有这个编号（测评项目“市容环境”，60 分），与文件不同；"
            "测评体系按版本保存、不改写，修改请用新的版本号",
        )
    ]


def test_framework_adding_a_board_to_an_existing_edition_updates_its_total(tmp_path):
    path = base_db(tmp_path)
    res = write.run_import(
        path, csv_bytes([fw_row("2", "板块", "附加项", 5, 版本="T版")], header=FW), "加.csv", "framework"
    )
    assert res.inserted == {"framework_node": 1}
    assert q(path, "select total_points from framework_edition where edition = 'T版'") == [(105.0,)]
    write.rollback(path, res.import_id)
    assert q(path, "select total_points from framework_edition where edition = 'T版'") == [(100.0,)]


def test_framework_row_errors_name_row_column_and_reason(tmp_path):
    path = base_db(tmp_path)
    rows = [
        fw_row("1", "板块", "公共文明", 100),
        fw_row("1.1", "测评内容", "段数不符", 10),  # 第 3 行
        fw_row("1.2.1.1", "测评标准", "缺方法", 5),  # 第 4 行：缺测评方法，且上级 1.2.1 不存在
        fw_row("1.3", "测评项目", "多填方法", 5, "实地考察"),  # 第 5 行
        fw_row("1.4", "测评项目", "分值不是数", "五"),  # 第 6 行
        fw_row("1", "板块", "重复", 1),  # 第 7 行
        fw_row("x.1", "测评项目", "编号不对", 1),  # 第 8 行
    ]
    err = fails(path, csv_bytes(rows, header=FW), "坏体系.csv", "framework")
    assert sorted(reasons(err)) == sorted(
        [
            (3, "层级", "与编号的段数不符：测评内容的编号应有 3 段"),
            (4, "测评方法", "测评标准必须填写测评方法（实地考察 / 网上申报 / 问卷调查）"),
            (4, "编号", "上级条目 1.2.1 在文件和库中都没有（同一版本）"),
            (5, "测评方法", "只有测评标准填写测评方法，其他层级留空"),
            (6, "分值", "应为数字"),
            (7, "编号", "文件中同一版本的编号重复"),
            (8, "编号", "编号应为 1、1.2、1.2.3 或 1.2.3.4 这样以点分隔的数字"),
        ]
    )


# ---------------------------------------------------------------- 测评成绩

SC = ["测评轮次", "日期", "单位", "总分", "1.1", "宣传氛围", "名次"]


def test_scores_create_round_and_parts_and_ranks_follow_the_one_definition(tmp_path):
    path = base_db(tmp_path)
    rows = [
        {
            "测评轮次": "2026年度测评",
            "日期": "2026/10/15",
            "单位": "甲县",
            "总分": "91.5",
            "1.1": "55",
            "宣传氛围": "36.5",
            "名次": "2",
        },
        {
            "测评轮次": "2026年度测评",
            "日期": "2026/10/15",
            "单位": "乙县",
            "总分": "93",
            "1.1": "",
            "宣传氛围": "",
            "名次": "1",
        },
        {
            "测评轮次": "2026年度测评",
            "日期": "2026/10/16",
            "单位": "庚县",
            "总分": "91.5",
            "1.1": "",
            "宣传氛围": "",
            "名次": "2",
        },
        {
            "测评轮次": "2026年度测评",
            "日期": "2026/10/16",
            "单位": "丙县",
            "总分": "",
            "1.1": "",
            "宣传氛围": "",
            "名次": "",
        },
    ]
    err = fails(path, csv_bytes(rows, header=SC), "成绩.csv", "scores")
    assert reasons(err)[0][1:] == (
        "测评轮次",
        "库中没有这个测评轮次；首次导入可加 --create-missing 按“日期”“轮次类型”新增",
    )
    res = write.run_import(path, csv_bytes(rows, header=SC), "成绩.csv", "scores", create_missing=True)
    assert res.inserted == {"region": 1, "round": 1, "score": 4, "score_part": 2}
    assert res.created == {"region": ["庚县"]}
    assert q(
        path,
        "select code, round_type, level, start_date::varchar, end_date::varchar, cycle, year, edition, is_ranked "
        "from round where code = '2026年度测评'",
    ) == [("2026年度测评", "年度测评", "省", "2026-10-15", "2026-10-16", "2024-2026", 2026, "T版", True)]
    assert q(
        path,
        "select r.name, s.total, s.rank, s.group_size from score_ranked s join region r on r.code = s.region_code "
        "where s.round_code = '2026年度测评' order by s.rank nulls last, s.region_code",
    ) == [("乙县", 93.0, 1, 3), ("甲县", 91.5, 2, 3), ("庚县", 91.5, 2, 3), ("丙县", None, None, None)]
    assert q(path, "select node_code, score from score_part where round_code = '2026年度测评' order by 1") == [
        ("1.1", 55.0),
        ("1.2", 36.5),
    ]
    assert q(path, "select parent_code from region where name = '庚县'") == [("990000",)]
    notes = [(i["列"], i["原因"]) for i in res.prepared.issues if i["级别"] == "提示"]
    assert ("名次", "名次由总分推导（并列同名次），这一列不导入，只用来核对") in notes
    assert ("名次", "公布名次与按总分推导的名次全部一致（核对 3 行）") in notes
    # 回滚：新增的轮次、成绩、分项与县级单位都删掉
    write.rollback(path, res.import_id)
    assert q(path, "select count(*) from round where code = '2026年度测评'") == [(0,)]
    assert q(path, "select count(*) from region where name = '庚县'") == [(0,)]
    assert q(path, "select count(*) from score where round_code = '2026年度测评'") == [(0,)]


def test_scores_same_rows_are_skipped_and_changed_ones_refused(tmp_path):
    path = base_db(tmp_path)
    same = [
        {"测评轮次": "2025年度测评", "单位": "甲县", "总分": "88"},
        {"测评轮次": "R2025-ND", "单位": "丙县", "总分": ""},
    ]
    res = write.run_import(path, csv_bytes(same, header=["测评轮次", "单位", "总分"]), "同.csv", "scores")
    assert (res.status, res.rows_skipped) == ("无新数据", 2)
    changed = [{"测评轮次": "2025年度测评", "单位": "甲县", "总分": "89"}]
    err = fails(path, csv_bytes(changed, header=["测评轮次", "单位", "总分"]), "改.csv", "scores")
    assert reasons(err) == [
        (2, "总分", "库中已有甲县在该轮的成绩（88），与文件不同；成绩不改写，如需更正请联系管理员后再导入")
    ]


def test_scores_bad_cells(tmp_path):
    path = base_db(tmp_path)
    header = ["测评轮次", "单位", "总分", "1.2", "第九板块"]
    rows = [
        {"测评轮次": "R2026-06-ZA", "单位": "乙县", "总分": "101", "1.2": "", "第九板块": ""},  # 超过满分 100
        {"测评轮次": "R2026-06-ZA", "单位": "丙县", "总分": "80", "1.2": "41", "第九板块": ""},  # 分项超过 40
        {"测评轮次": "R2026-06-ZA", "单位": "丁县", "总分": "80", "1.2": "", "第九板块": "3"},  # 对不上体系
        {"测评轮次": "R2026-06-ZA", "单位": "丁县", "总分": "80", "1.2": "", "第九板块": ""},  # 同轮同单位两行
        {"测评轮次": "R2026-06-ZA", "单位": "无名县", "总分": "-1", "1.2": "", "第九板块": ""},
    ]
    err = fails(path, csv_bytes(rows, header=header), "坏成绩.csv", "scores")
    assert sorted(reasons(err)) == sorted(
        [
            (2, "总分", "总分超过该轮测评体系的满分"),
            (3, "1.2", "分项得分应在 0～40 之间"),
            (
                4,
                "第九板块",
                "列“第九板块”不是测评体系“T版”中的板块或测评项目（列名写编号或名称），无法作为分项得分导入",
            ),
            (5, "单位", "文件中同一轮次同一单位出现了不止一行"),
            (6, "总分", "总分不能为负数"),
            (
                6,
                "单位",
                "库中没有这个县级单位（排名组成员）；首次导入可加 --create-missing 自动新增，或在映射文件 [values] 中对照到已有名称",
            ),
        ]
    )


def test_scores_partial_imports_good_rows_only(tmp_path):
    path = base_db(tmp_path)
    rows = [
        {"测评轮次": "R2026-06-ZA", "单位": "乙县", "总分": "87"},
        {"测评轮次": "R2026-06-ZA", "单位": "无名县", "总分": "80"},
    ]
    res = write.run_import(path, csv_bytes(rows, header=["测评轮次", "单位", "总分"]), "半.csv", "scores", partial=True)
    assert (res.status, res.rows_imported, res.rows_rejected) == ("部分导入", 1, 1)
    assert q(path, "select region_code, total from score where round_code = 'R2026-06-ZA' order by 1") == [
        ("990101", 89.0),
        ("990102", 87.0),
        ("990105", 91.0),
    ]


@pytest.mark.parametrize("header", ["公布名次", "全省排名", "名次（公布）", "排序号", "省内排名", "位次"])
def test_rank_columns_are_recognised_by_meaning(header):
    assert published_ranks.is_rank_header(header) and published_ranks.is_published_rank(header)
    assert not published_ranks.is_rank_header("宣传氛围") and not published_ranks.is_rank_header("1.2")


@pytest.mark.parametrize("header", ["序号", "名次变化", "上轮排名", "目标名次", "排名升降"])
def test_row_numbers_and_rank_changes_are_not_imported_and_not_checked(header):
    assert published_ranks.is_rank_header(header) and not published_ranks.is_published_rank(header)


def test_published_ranks_are_checked_against_the_ranks_derived_from_total(tmp_path):
    """一张公布的成绩表：名次列叫“公布名次”，一行与推导的不一致、一行不是名次、一行缺测却有名次、两行名次相同而总分不同。"""
    path = base_db(tmp_path)
    header = ["测评轮次", "日期", "单位", "总分", "公布名次"]
    rows = [
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "甲县", "总分": "91.5", "公布名次": "第2名"},
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "乙县", "总分": "93", "公布名次": "1"},
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "丁县", "总分": "90", "公布名次": "2"},
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "戊区", "总分": "80", "公布名次": "末位"},
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "丙县", "总分": "", "公布名次": "0"},
        {"测评轮次": "2027年度测评", "日期": "2027/10/15", "单位": "己县", "总分": "", "公布名次": "6"},
    ]
    res = write.run_import(path, csv_bytes(rows, header=header), "公布成绩.csv", "scores", create_missing=True)
    assert res.status == "成功" and res.inserted["score"] == 6  # 名次列不影响导入
    notes = [(i["行"], i["原因"]) for i in res.prepared.issues if i["级别"] == "提示" and i["列"] == "公布名次"]
    assert notes == [
        ("表头", "名次由总分推导（并列同名次），这一列不导入，只用来核对"),
        (4, "与第 2 行公布名次同为 2，但总分不同"),
        (4, "公布名次 2，按总分推导为第 3 名（总分相同并列同名次）；看板按推导的名次显示"),
        (5, "名次应为正整数（如 3 或 第3名）；这一格不核对，导入照常"),
        (6, "名次应为正整数（如 3 或 第3名）；这一格不核对，导入照常"),
        (7, "没有总分（缺测）却有公布名次 6；缺测单位不参与排名"),
        ("", "核对 3 行公布名次，1 行与按总分推导的不一致（见各行提示）"),
    ]
    assert q(
        path,
        "select r.name, s.rank from score_ranked s join region r on r.code = s.region_code "
        "where s.round_code = '2027年度测评' and s.rank is not null order by s.rank",
    ) == [("乙县", 1), ("甲县", 2), ("丁县", 3), ("戊区", 4)]


def test_derived_ranks_share_ties():
    assert published_ranks.derived_ranks({"a": 93, "b": 91.5, "c": 91.499, "d": None, "e": 80}) == {
        "a": 1,
        "b": 2,
        "c": 2,
        "e": 4,
    }
    assert [published_ranks.published_rank(v) for v in ("3", "第3名", "3.0", " 第 12 名 ", "0", "末位", None)] == [
        3,
        3,
        3,
        12,
        None,
        None,
        None,
    ]


# ---------------------------------------------------------------- 扣分明细

DE = ["测评轮次", "测评标准编号", "扣分", "扣分原因", "点位名称", "责任单位"]


def test_deductions_split_shares_and_continue_ids(tmp_path):
    path = base_db(tmp_path)
    rows = [
        {
            "测评轮次": "2025年度测评",
            "测评标准编号": "1.1.1.1",
            "扣分": "-2",
            "扣分原因": "东坝老街乱堆放",
            "点位名称": "东坝老街",
            "责任单位": "城管局、东坝镇",
        },
        {
            "测评轮次": "R2025-ND",
            "测评标准编号": "1.2.1.1",
            "扣分": "0.5",
            "扣分原因": "材料晚交",
            "点位名称": "",
            "责任单位": "",
        },
    ]
    res = write.run_import(path, csv_bytes(rows, header=DE), "扣分.csv", "deductions")
    assert res.inserted == {"deduction": 2, "deduction_unit": 2}
    assert q(
        path,
        "select id, round_code, edition, standard_code, points, reason, site_code from deduction where id > 2 order by id",
    ) == [
        (3, "R2025-ND", "T版", "1.1.1.1", 2.0, "东坝老街乱堆放", "S02"),
        (4, "R2025-ND", "T版", "1.2.1.1", 0.5, "材料晚交", None),
    ]
    assert q(path, "select deduction_id, unit_code, share from deduction_unit where deduction_id > 2 order by 2") == [
        (3, "D01", 0.5),
        (3, "T02", 0.5),
    ]
    again = write.run_import(path, csv_bytes(rows, header=DE, encoding="gb18030"), "扣分-另存.csv", "deductions")
    assert (again.status, again.rows_skipped) == ("无新数据", 2)
    before_rb = q(path, "select count(*) from deduction")
    write.rollback(path, res.import_id)
    assert (before_rb, q(path, "select count(*) from deduction"), q(path, "select count(*) from deduction_unit")) == (
        [(4,)],
        [(2,)],
        [(3,)],
    )


def test_deductions_cannot_exceed_the_standard_points(tmp_path):
    path = base_db(tmp_path)
    rows = [
        {"测评轮次": "R2025-ND", "测评标准编号": "1.1.1.1", "扣分": "50", "扣分原因": "甲"},
        {"测评轮次": "R2025-ND", "测评标准编号": "1.1.1.1", "扣分": "3", "扣分原因": "乙"},
        {"测评轮次": "R2025-ND", "测评标准编号": "9.9.9.9", "扣分": "1", "扣分原因": "丙"},
        {"测评轮次": "R2099", "测评标准编号": "1.1.1.1", "扣分": "1", "扣分原因": "丁"},
        {"测评轮次": "R2025-ND", "测评标准编号": "1.2.1.1", "扣分": "", "扣分原因": "戊"},
    ]
    err = fails(path, csv_bytes(rows, header=DE[:4]), "超.csv", "deductions")
    # 已扣 8 分，再扣 50 + 3 = 61 > 60
    over = "同一轮次测评标准 1.1.1.1 的扣分合计 61 超过该标准的分值 60"
    assert sorted(reasons(err)) == sorted(
        [
            (2, "扣分", over),
            (3, "扣分", over),
            (4, "测评标准编号", "该轮所用测评体系中没有这条测评标准"),
            (5, "测评轮次", "库中没有这个测评轮次（请先导入测评成绩）"),
            (6, "扣分", "必填，不能为空"),
        ]
    )


def test_rollback_of_a_framework_import_waits_for_scores_that_use_it(tmp_path):
    path = base_db(tmp_path)
    fw = write.run_import(path, csv_bytes(NEW_EDITION, header=FW), "体系.csv", "framework")
    sc = write.run_import(
        path,
        csv_bytes(
            [
                {
                    "测评轮次": "2027年度测评",
                    "日期": "2027-10-10",
                    "单位": "甲县",
                    "总分": "90",
                    "测评体系版本": "2026版",
                    "1": "65",
                }
            ],
            header=["测评轮次", "日期", "单位", "总分", "测评体系版本", "1"],
        ),
        "成绩.csv",
        "scores",
        create_missing=True,
    )
    assert q(path, "select edition, node_code, score from score_part where round_code = '2027年度测评'") == [
        ("2026版", "1", 65.0)
    ]
    with pytest.raises(write.ImportFailed, match="测评体系条目、测评体系版本已被其他数据引用"):
        write.rollback(path, fw.import_id)
    write.rollback(path, sc.import_id)
    before = table_hashes(path)
    write.rollback(path, fw.import_id)
    after = table_hashes(path)
    assert q(path, "select count(*) from framework_node where edition = '2026版'") == [(0,)]
    assert {k for k in before if before[k] != after[k]} == {
        "framework_edition",
        "framework_node",
        "import_created",
        "import_log",
    }


def test_creation_cycle():
    assert [assessment.creation_cycle(y) for y in (2018, 2020, 2021, 2024, 2026, 2027)] == [
        "2018-2020",
        "2018-2020",
        "2021-2023",
        "2024-2026",
        "2024-2026",
        "2027-2029",
    ]


def test_preview_shows_the_rows_as_they_will_be_stored_in_chinese(tmp_path):
    from chuangwen.imports import preview

    path = base_db(tmp_path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = [{"测评轮次": "2026年度测评", "日期": "2026-10-15", "单位": "甲县", "总分": "91.5", "1.1": "55"}]
        prep = write.validate_only(
            con,
            csv_bytes(rows, header=["测评轮次", "日期", "单位", "总分", "1.1"]),
            "成绩.csv",
            "scores",
            create_missing=True,
        )
    finally:
        con.close()
    shown = preview.stored_rows(prep)
    assert list(shown) == ["成绩", "分项得分", "测评轮次"]
    assert shown["成绩"].to_dict("records") == [
        {"测评轮次": "2026年度测评", "地区编码": "990101", "总分": 91.5, "备注": ""}
    ]
    assert list(shown["测评轮次"].columns) == [
        "轮次编号",
        "轮次名称",
        "轮次类型",
        "组织层级",
        "开始日期",
        "结束日期",
        "创建周期",
        "年份",
        "测评体系版本",
        "公布排名",
    ]


def test_partial_scores_do_not_leave_a_new_county_whose_only_row_was_rejected(tmp_path):
    path = base_db(tmp_path)
    rows = [
        {"测评轮次": "R2026-06-ZA", "单位": "乙县", "总分": "87"},
        {"测评轮次": "R2026-06-ZA", "单位": "新设县", "总分": "120"},
    ]
    res = write.run_import(
        path,
        csv_bytes(rows, header=["测评轮次", "单位", "总分"]),
        "半.csv",
        "scores",
        partial=True,
        create_missing=True,
    )
    assert (res.rows_imported, res.rows_rejected, res.created) == (1, 1, {})
    assert q(path, "select count(*) from region where name = '新设县'") == [(0,)]


def test_a_rollback_that_fails_midway_publishes_nothing_and_can_be_run_again(tmp_path, monkeypatch):
    path = base_db(tmp_path)
    rows = [{"测评轮次": "2026年度测评", "日期": "2026-10-15", "单位": "甲县", "总分": "91.5", "1.1": "55"}]
    before = table_hashes(path)
    res = write.run_import(
        path,
        csv_bytes(rows, header=["测评轮次", "日期", "单位", "总分", "1.1"]),
        "成绩.csv",
        "scores",
        create_missing=True,
    )
    imported = table_hashes(path)
    steps = list(write._DELETE_STEPS)
    monkeypatch.setattr(write, "_DELETE_STEPS", steps[:3] + ["select error('断电')"])  # 删完分项与成绩后出错
    with pytest.raises(duckdb.Error, match="断电"):
        write.rollback(path, res.import_id)
    # 几个事务都在同一个快照副本上：出错时一个也不发布，读者看到的仍是回滚前
    assert table_hashes(path) == imported
    monkeypatch.setattr(write, "_DELETE_STEPS", steps)
    write.rollback(path, res.import_id)
    after = table_hashes(path)
    assert {k for k in before if before[k] != after[k]} == {"import_log"}
    ((status, note),) = q(path, "select status, note from import_log where id = $i", {"i": res.import_id})
    assert status == "已回滚" and note.startswith("已回滚 ")


def test_cli_imports_framework_scores_and_deductions_into_a_fresh_database(tmp_path, capsys):
    from chuangwen import cli

    path = tmp_path / "office.duckdb"
    assert cli.main(["init", "--db", str(path)]) == 0
    fw, sc, de = tmp_path / "体系.csv", tmp_path / "成绩.csv", tmp_path / "扣分.csv"
    fw.write_bytes(csv_bytes(NEW_EDITION, header=FW, encoding="gbk"))
    sc.write_bytes(
        csv_bytes(
            [{"测评轮次": "2026年度测评", "日期": "2026年10月15日", "单位": "澜溪县", "总分": "88", "公共文明": "60"}],
            header=["测评轮次", "日期", "单位", "总分", "公共文明"],
        )
    )
    de.write_bytes(
        csv_bytes(
            [{"测评轮次": "2026年度测评", "测评标准编号": "1.1.1.2", "扣分": "31", "扣分原因": "地面脏"}], header=DE[:4]
        )
    )
    assert cli.main(["import", "framework", str(fw), "--db", str(path)]) == 1  # 类别、单位、点位类型库中没有
    assert "库中没有这个问题类别" in capsys.readouterr().err
    assert cli.main(["import", "framework", str(fw), "--db", str(path), "--create-missing"]) == 0
    assert cli.main(["import", "scores", str(sc), "--db", str(path), "--create-missing"]) == 0
    out = capsys.readouterr().out
    assert (
        "成绩 1 行，分项得分 1 行" in out and "库中还没有指定本县" in out and "chuangwen settings set our_code" in out
    )
    assert cli.main(["import", "deductions", str(de), "--db", str(path)]) == 1  # 31 > 标准分值 30
    assert "扣分合计 31 超过该标准的分值 30" in capsys.readouterr().err
    assert q(path, "select count(*) from deduction") == [(0,)]


def test_a_new_round_without_a_date_is_refused_with_the_row_and_the_reason(tmp_path):
    """轮次的开始、结束日期都来自“日期”：新轮次没有日期时整个文件不写入，说明在哪一行。"""
    path = base_db(tmp_path)
    rows = [
        {"测评轮次": "2026年度测评", "日期": "", "单位": "甲县", "总分": "91.5", "1.1": "", "宣传氛围": "", "名次": ""},
    ]
    err = fails(path, csv_bytes(rows, header=SC), "成绩.csv", "scores", create_missing=True)
    assert reasons(err) == [(2, "日期", "新增测评轮次“2026年度测评”需要填写日期")]
