"""丢分预警的三份输入的导入（Issue 31 第 1 部分与“坏输入”）：抽样方案、扣分方式、类别对照。极小数据、精确的报告。

参考库（tests/data/imports）：农贸市场、背街小巷各 1 处点位；先导入一个新版本“2026版”的测评体系：
1.1.1.1 无出店经营 40 分（实地考察：农贸市场、背街小巷、主次干道），1.1.1.2 地面干净 20 分（实地考察，没有点位类型），
1.1.1.3 活禽区卫生 0 分（实地考察：农贸市场），1.2.1.1 宣传材料 10 分（网上申报）。
"""

from __future__ import annotations

import pytest

from chuangwen.imports import templates, write
from tests.unit._import_helpers import base_db, csv_bytes, q, table_hashes

FW = ["版本", "编号", "层级", "名称", "分值", "测评方法", "点位类型", "问题类别", "生效日期"]
FRAMEWORK = [
    {"版本": "2026版", "编号": "1", "层级": "板块", "名称": "城市环境", "分值": 70, "生效日期": "2026-01-01"},
    {"版本": "2026版", "编号": "1.1", "层级": "测评项目", "名称": "市容", "分值": 60},
    {"版本": "2026版", "编号": "1.1.1", "层级": "测评内容", "名称": "农贸市场", "分值": 60},
    {
        "版本": "2026版",
        "编号": "1.1.1.1",
        "层级": "测评标准",
        "名称": "无出店经营",
        "分值": 40,
        "测评方法": "实地考察",
        "点位类型": "农贸市场、背街小巷、主次干道",
        "问题类别": "出店经营",
    },
    {"版本": "2026版", "编号": "1.1.1.2", "层级": "测评标准", "名称": "地面干净", "分值": 20, "测评方法": "实地考察"},
    {
        "版本": "2026版",
        "编号": "1.1.1.3",
        "层级": "测评标准",
        "名称": "活禽区卫生",
        "分值": 0,
        "测评方法": "实地考察",
        "点位类型": "农贸市场",
    },
    {"版本": "2026版", "编号": "1.2", "层级": "测评项目", "名称": "宣传", "分值": 10},
    {"版本": "2026版", "编号": "1.2.1", "层级": "测评内容", "名称": "材料", "分值": 10},
    {"版本": "2026版", "编号": "1.2.1.1", "层级": "测评标准", "名称": "宣传材料", "分值": 10, "测评方法": "网上申报"},
]
PLAN = ["测评体系版本", "点位类型", "抽查数", "抽样范围", "每镇街路段数"]
RULES = ["测评体系版本", "测评标准编号", "扣分方式", "每处扣分"]
MAP = ["测评体系版本", "问题类别", "点位类型", "测评标准编号"]


@pytest.fixture
def path(tmp_path):
    p = base_db(tmp_path)
    res = write.run_import(p, csv_bytes(FRAMEWORK, header=FW), "体系.csv", "framework", create_missing=True)
    assert res.created == {"site_type": ["主次干道"]}
    return p


def fails(path, rows, header, kind) -> list[tuple]:
    before = table_hashes(path)
    with pytest.raises(write.ImportFailed) as exc:
        write.run_import(path, csv_bytes(rows, header=header), f"{kind}.csv", kind)
    assert table_hashes(path) == before  # 被拒的文件：库中各表逐字节不变
    issues = exc.value.prepared.issues
    assert {i["文件"] for i in issues} == {f"{kind}.csv"}
    return [(i["行"], i["列"], i["值"], i["原因"]) for i in issues if i["级别"] == "错误"]


def plan(site_type, size, scope="", per_town=""):
    return {
        "测评体系版本": "2026版",
        "点位类型": site_type,
        "抽查数": size,
        "抽样范围": scope,
        "每镇街路段数": per_town,
    }


# ---------------------------------------------------------------- 抽样方案


def test_a_sampling_plan_is_stored_once_and_the_same_file_again_changes_nothing(path):
    rows = [plan("农贸市场", 1), plan("背街小巷", 1, "全县"), plan("主次干道", 2, "每镇街", 6)]
    raw = csv_bytes(rows, header=PLAN)
    res = write.run_import(path, raw, "抽样方案.csv", "sampling_plan")
    assert (res.status, res.inserted) == ("成功", {"sampling_plan": 3})
    assert q(
        path,
        "select site_type, scope, sample_size, per_township from sampling_plan where edition = '2026版' "
        "order by site_type",
    ) == [("主次干道", "每镇街", 2, 6), ("农贸市场", "全县", 1, None), ("背街小巷", "全县", 1, None)]
    assert write.run_import(path, raw, "抽样方案.csv", "sampling_plan").status == "已导入过"
    again = write.run_import(path, raw + b"\n", "抽样方案（再导一次）.csv", "sampling_plan")
    assert (again.status, again.rows_skipped) == ("无新数据", 3)


def test_a_sampling_plan_that_asks_for_more_sites_than_exist_is_refused_in_chinese(path):
    errors = fails(
        path,
        [
            plan("农贸市场", 2),
            plan("主次干道", 1, "每镇街"),
            plan("主次干道", 8, "每镇街", 6),
            plan("背街小巷", "三"),
            plan("背街小巷", 1, "全县", 4),
            plan("公共厕所", 1),
            {**plan("农贸市场", 1), "测评体系版本": "2099版"},
        ],
        PLAN,
        "sampling_plan",
    )
    assert errors == [
        (5, "抽查数", "三", "应为正整数"),
        (8, "测评体系版本", "2099版", "库中没有这个测评体系版本（请先导入测评体系）"),
        (7, "点位类型", "公共厕所", "库中没有这个点位类型（先导入点位，或在测评体系的点位类型里写上它）"),
        (3, "每镇街路段数", "", "抽样范围为每镇街时必填：每个镇街有几条路段"),
        (6, "每镇街路段数", "4", "只有抽样范围为每镇街时才填写每镇街路段数"),
        (4, "抽查数", "8", "每镇街抽查 8 条，多于每镇街的路段数"),
        (
            2,
            "抽查数",
            "2",
            "抽样方案要求抽查 2 处，库中“农贸市场”只有 1 处（先导入点位，或改小抽查数；没有点位的街面类型请把抽样范围写成每镇街）",
        ),
        (4, "点位类型", "主次干道", "文件中同一版本的点位类型重复（与第 3 行相同）"),
        (6, "点位类型", "背街小巷", "文件中同一版本的点位类型重复（与第 5 行相同）"),
    ]


def test_a_plan_different_from_the_stored_one_is_refused_and_gaps_are_noted(path):
    res = write.run_import(path, csv_bytes([plan("农贸市场", 1)], header=PLAN), "方案一.csv", "sampling_plan")
    notes = [i["原因"] for i in res.prepared.issues if i["级别"] == "提示"]
    assert notes == [
        "测评体系“2026版”里还有实地考察标准考察的点位类型没有抽样方案：主次干道、背街小巷；丢分预警在这些点位上不计丢分"
    ]
    errors = fails(path, [plan("农贸市场", 1, "每镇街", 3)], PLAN, "sampling_plan")
    assert errors == [
        (
            2,
            "抽查数",
            "每镇街，1，3",
            "库中已有这类点位的抽样方案（全县，1），与文件不同；按版本保存、不改写，要改请先回滚导入它的那次导入",
        )
    ]


def test_a_plan_import_rolls_back_and_its_framework_cannot_be_rolled_back_first(path):
    res = write.run_import(path, csv_bytes([plan("农贸市场", 1)], header=PLAN), "方案.csv", "sampling_plan")
    framework_import = q(path, "select min(id) from import_log where kind = 'framework'")[0][0]
    with pytest.raises(write.ImportFailed, match="测评体系版本"):
        write.rollback(path, framework_import)
    write.rollback(path, res.import_id)
    assert q(path, "select count(*) from sampling_plan where edition = '2026版'") == [(0,)]
    write.rollback(path, framework_import)  # 方案回滚后，体系也能回滚
    assert q(path, "select count(*) from framework_edition where edition = '2026版'") == [(0,)]


# ---------------------------------------------------------------- 扣分方式


def rule(code, how, per=""):
    return {"测评体系版本": "2026版", "测评标准编号": code, "扣分方式": how, "每处扣分": per}


def test_scoring_rules_are_stored(path):
    res = write.run_import(
        path, csv_bytes([rule("1.1.1.1", "每处扣分", "0.5")], header=RULES), "扣分方式.csv", "scoring_rules"
    )
    assert res.inserted == {"standard_scoring": 1}
    assert q(path, "select standard_code, rule, per_site from standard_scoring where edition = '2026版'") == [
        ("1.1.1.1", "每处扣分", 0.5)
    ]


def test_a_standard_without_points_or_site_types_cannot_get_a_scoring_rule(path):
    errors = fails(
        path,
        [
            rule("1.1.1.2", "按比例"),
            rule("1.1.1.3", "一处即扣完"),
            rule("1.2.1.1", "按比例"),
            rule("1.1.1.1", "每处扣分"),
            rule("1.1.1.1", "一处即扣完", "0.2"),
            rule("9.9.9.9", "按比例"),
            rule("1.1.1.1", "按人头"),
        ],
        RULES,
        "scoring_rules",
    )
    assert errors == [
        (
            8,
            "扣分方式",
            "按人头",
            "取值不在允许范围内，应为：按比例、一处即扣完、每处扣分（可在映射文件 [values.扣分方式] 中对照到允许的取值）",
        ),
        (5, "每处扣分", "", "扣分方式为每处扣分时必填：每抽中一处不合格扣几分"),
        (6, "每处扣分", "0.2", "只有扣分方式为每处扣分时才填写每处扣分"),
        (
            2,
            "测评标准编号",
            "1.1.1.2",
            "这条测评标准没有点位类型，实地考察无从抽查；请在测评体系里写上点位类型（用新版本导入）",
        ),
        (
            3,
            "测评标准编号",
            "1.1.1.3",
            "这条测评标准没有分值（0 分），无从扣分；请在测评体系里写上分值（用新版本导入）",
        ),
        (4, "测评标准编号", "1.2.1.1", "这条测评标准的测评方法是网上申报，扣分方式与类别对照只用于实地考察的测评标准"),
        (7, "测评标准编号", "9.9.9.9", "测评体系“2026版”中没有这条测评标准"),
        (6, "测评标准编号", "1.1.1.1", "文件中同一版本的测评标准重复（与第 5 行相同）"),
        (8, "测评标准编号", "1.1.1.1", "文件中同一版本的测评标准重复（与第 5 行相同）"),
    ]


# ---------------------------------------------------------------- 类别对照


def mapping(category, site_type, code):
    return {"测评体系版本": "2026版", "问题类别": category, "点位类型": site_type, "测评标准编号": code}


def test_a_blank_site_type_maps_the_category_on_every_site_type_of_the_standard(path):
    res = write.run_import(
        path, csv_bytes([mapping("出店经营", "", "1.1.1.1")], header=MAP), "类别对照.csv", "category_standards"
    )
    assert res.inserted == {"standard_category": 3}
    assert q(path, "select site_type from standard_category where edition = '2026版' order by site_type") == [
        ("主次干道",),
        ("农贸市场",),
        ("背街小巷",),
    ]


def test_a_category_mapped_to_two_standards_is_refused_naming_both_rows(path):
    write.run_import(path, csv_bytes([plan("农贸市场", 1)], header=PLAN), "方案.csv", "sampling_plan")
    errors = fails(
        path,
        [
            mapping("出店经营", "农贸市场", "1.1.1.1"),
            mapping("暴露垃圾", "背街小巷", "1.1.1.1"),
            mapping("出店经营", "农贸市场", "1.1.1.3"),
            mapping("暴露垃圾", "公共厕所", "1.1.1.1"),
            mapping("乱停车", "主次干道", "1.1.1.1"),
        ],
        MAP,
        "category_standards",
    )
    assert errors == [
        (6, "问题类别", "乱停车", "库中没有这个问题类别（先导入问题台账或在测评体系里写上它）"),
        (
            4,
            "测评标准编号",
            "1.1.1.3",
            "这条测评标准没有分值（0 分），无从扣分；请在测评体系里写上分值（用新版本导入）",
        ),
        (5, "点位类型", "公共厕所", "库中没有这个点位类型"),
    ]
    errors = fails(
        path,
        [mapping("出店经营", "农贸市场", "1.1.1.1"), mapping("出店经营", "农贸市场、背街小巷", "1.1.1.1")],
        MAP,
        "category_standards",
    )
    assert errors == [(3, "测评标准编号", "1.1.1.1", "文件中“出店经营 × 农贸市场”的对照重复（与第 2 行相同）")]


def test_two_standards_for_one_category_and_site_type(path):
    more = [
        *FRAMEWORK[:4],
        {
            "版本": "2026版",
            "编号": "1.1.1.4",
            "层级": "测评标准",
            "名称": "无占道摆摊",
            "分值": 5,
            "测评方法": "实地考察",
            "点位类型": "农贸市场",
        },
    ]
    write.run_import(path, csv_bytes(more[4:], header=FW), "补一条.csv", "framework")
    errors = fails(
        path,
        [mapping("出店经营", "农贸市场", "1.1.1.1"), mapping("出店经营", "农贸市场", "1.1.1.4")],
        MAP,
        "category_standards",
    )
    message = (
        "同一类别同一点位类型对到了两条测评标准：“出店经营 × 农贸市场”第 2 行对 1.1.1.1、第 3 行对 1.1.1.4；只能对一条"
    )
    assert errors == [(2, "测评标准编号", "", message), (3, "测评标准编号", "", message)]


def test_a_mapping_to_a_site_type_the_standard_does_not_check_is_refused(path):
    write.run_import(
        path,
        csv_bytes([{**FRAMEWORK[5], "编号": "1.1.1.5", "名称": "市场秩序", "分值": 5}], header=FW),
        "补一条.csv",
        "framework",
    )
    errors = fails(path, [mapping("出店经营", "背街小巷", "1.1.1.5")], MAP, "category_standards")
    assert errors == [(2, "点位类型", "背街小巷", "测评标准 1.1.1.5 考察的点位类型是 农贸市场，没有“背街小巷”")]


def test_the_new_kinds_have_templates_with_choices():
    for kind in ("sampling_plan", "scoring_rules", "category_standards"):
        assert templates.build(kind)[:2] == b"PK"
    assert templates.file_name("sampling_plan") == "导入模板-抽样方案.xlsx"


def test_the_framework_import_notes_field_standards_without_site_types_or_points(tmp_path):
    p = base_db(tmp_path)
    res = write.run_import(p, csv_bytes(FRAMEWORK, header=FW), "体系.csv", "framework", create_missing=True)
    notes = [(i["行"], i["列"], i["原因"]) for i in res.prepared.issues if i["级别"] == "提示" and i["行"] != ""]
    assert notes == [
        (6, "点位类型", "实地考察的测评标准没有写点位类型：丢分预警不知道到哪类点位抽查，不计这一条"),
        (7, "分值", "实地考察的测评标准分值为 0：丢分预警不计这一条"),
    ]
