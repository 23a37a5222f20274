"""丢分预警的概率：三种扣分方式的期望（Issue 31 的算例），几组点位合在一起时与逐一列举的答案相同。"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangwen import loss_risk
from chuangwen.loss_risk import Group
from tests import oracles


def test_the_worked_example_pmf_is_three_tenths_six_tenths_one_tenth():
    # n = 5 处、k = 2 处不合格、抽 m = 2 处：P(0) = C(3,2)/C(5,2) = 0.3，P(1) = 2·3/10 = 0.6，P(2) = 1/10
    assert loss_risk.hypergeom_pmf(5, 2, 2) == pytest.approx([0.3, 0.6, 0.1], abs=1e-12)


@pytest.mark.parametrize(
    ("rule", "per_site", "expected"),
    [("按比例", None, 0.8), ("一处即扣完", None, 1.4), ("每处扣分", 0.5, 0.4)],
)
def test_the_worked_example_for_each_rule(rule, per_site, expected):
    assert loss_risk.standard_loss(2.0, rule, per_site, [Group(5, 2, 2)]) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("rule", "per_site", "exact"),
    [
        ("按比例", None, Fraction(4, 5)),
        ("一处即扣完", None, Fraction(7, 5)),
        ("每处扣分", Fraction(1, 2), Fraction(2, 5)),
    ],
)
def test_the_worked_example_is_exact(rule, per_site, exact):
    """Issue 31 的算例，不留误差：n = 5、k = 2、m = 2、分值 2 → 按比例 0.8、一处即扣完 1.4、每处扣 0.5 分 0.4。
    逐一列举全部 10 种抽法（分数运算）得到的正是 4/5、7/5、2/5；模型给出的浮点数与这几个分数最近的浮点数逐位相同。"""
    assert oracles.loss_by_enumeration(Fraction(2), rule, per_site, [(5, 2, 2)]) == exact
    got = loss_risk.standard_loss(2.0, rule, None if per_site is None else float(per_site), [Group(5, 2, 2)])
    assert got == float(exact)
    assert loss_risk.hypergeom_pmf(5, 2, 2) == [0.3, 0.6, 0.1]


def test_the_worked_example_agrees_with_counting_every_sample():
    for rule, per_site in (("按比例", None), ("一处即扣完", None), ("每处扣分", 0.5)):
        assert oracles.loss_by_enumeration(2.0, rule, per_site, [(5, 2, 2)]) == pytest.approx(
            loss_risk.standard_loss(2.0, rule, per_site, [Group(5, 2, 2)]), abs=1e-12
        )


def test_per_site_deductions_stop_at_the_points():
    # 每处扣 1.5 分、分值 2：抽中 2 处也只扣 2 分。P(1) = 0.6 → 0.9，P(2) = 0.1 → 0.2
    assert loss_risk.standard_loss(2.0, "每处扣分", 1.5, [Group(5, 2, 2)]) == pytest.approx(1.1, abs=1e-12)


def test_a_standard_checked_at_two_site_types_pools_the_sampled_sites():
    # 农贸市场 5 处抽 2、1 处不合格；背街小巷 4 处抽 1、1 处不合格：按比例 = (2·1/5 + 1·1/4) ÷ 3
    groups = [Group(5, 1, 2), Group(4, 1, 1)]
    assert loss_risk.standard_loss(1.0, "按比例", None, groups) == pytest.approx(0.65 / 3, abs=1e-12)
    # 一处即扣完：1 − (3/5)·(3/4)
    assert loss_risk.standard_loss(1.0, "一处即扣完", None, groups) == pytest.approx(1 - 0.6 * 0.75, abs=1e-12)


def test_no_failing_site_loses_nothing_and_every_site_failing_loses_everything():
    assert [loss_risk.standard_loss(2.0, r, p, [Group(5, 0, 2)]) for r, p in loss_risk_rules()] == [0.0, 0.0, 0.0]
    assert [loss_risk.standard_loss(2.0, r, p, [Group(5, 5, 2)]) for r, p in loss_risk_rules()] == pytest.approx(
        [2.0, 2.0, 1.0]
    )


def loss_risk_rules():
    return [("按比例", None), ("一处即扣完", None), ("每处扣分", 0.5)]


def test_a_group_with_nothing_to_sample_is_left_out():
    assert loss_risk.standard_loss(2.0, "按比例", None, [Group(0, 0, 0), Group(5, 2, 2)]) == pytest.approx(0.8)
    assert loss_risk.standard_loss(2.0, "按比例", None, []) == 0.0


def test_bad_inputs_say_what_is_wrong_in_chinese():
    with pytest.raises(ValueError, match="超几何分布的参数不合理"):
        loss_risk.hypergeom_pmf(3, 4, 2)
    with pytest.raises(ValueError, match="不认识的扣分方式"):
        loss_risk.standard_loss(1.0, "按人头", None, [Group(5, 2, 2)])
    with pytest.raises(ValueError, match="每处扣几分"):
        loss_risk.standard_loss(1.0, "每处扣分", None, [Group(5, 2, 2)])


group = st.integers(1, 6).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n)))


@settings(max_examples=120, deadline=None)
@given(
    groups=st.lists(group, min_size=1, max_size=3),
    rule=st.sampled_from(["按比例", "一处即扣完", "每处扣分"]),
    points=st.sampled_from([0.5, 1.0, 2.0, 3.0]),
    per_site=st.sampled_from([0.2, 0.5, 1.0, 1.5]),
)
def test_several_groups_agree_with_counting_every_sample(groups, rule, points, per_site):
    per = per_site if rule == "每处扣分" else None
    got = loss_risk.standard_loss(points, rule, per, [Group(*g) for g in groups])
    assert got == pytest.approx(oracles.loss_by_enumeration(points, rule, per, groups), abs=1e-9)


def test_groups_with_more_failing_places_than_sites_are_summed_up_per_site_type_in_one_sentence():
    """百万条的库里上百组超过路段数：一句话，每类点位一段（街面类型说几个镇街、最多的一个），不逐组罗列。"""
    import pandas as pd

    from chuangwen.loss_risk import model

    groups = pd.DataFrame(
        {
            "site_type": ["主次干道", "主次干道", "主次干道", "农贸市场", "农贸市场", "公园"],
            "township_name": ["澜城街道", "溪东街道", "澜城街道", None, None, None],
            "failing_raw": [18, 10, 129, 14, 3, 2],
            "failing": [6, 6, 6, 12, 3, 2],
            "sites": [6, 6, 6, 12, 12, 5],
        }
    )
    assert model._group_notes(groups) == [
        "不合格的处数多于点位（路段）数，按点位数计（这些组全部不合格）："
        "主次干道 2 个镇街（最多的澜城街道 129 处，每镇街按 6 处计）；农贸市场（14 处，按 12 处计）。"
    ]
    assert model._group_notes(groups[groups["site_type"] == "公园"]) == []
