"""通报导出页：选项、生成幻灯片、目录预览、下载按钮、无数据的统计日给出中文提示。"""

from datetime import date

from tests.app.conftest import switch_to


def briefing_page(app):
    return switch_to(app, "app_pages/briefing.py")


def _download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def build_and_wait(at):
    """点“生成”：生成在后台线程里跑，这次运行马上结束、显示进度条；等任务做完（等条件，不赌时长）再运行一次看结果。"""
    at.button(key="br_build").click().run(timeout=120)
    assert not at.exception
    job = at.session_state["br_job"]
    assert job.wait(300), "通报 5 分钟还没生成完"
    return at.run(timeout=120)


def test_page_offers_period_day_issue_and_ledger_export(app):
    at = briefing_page(app)
    assert at.title[0].value == "通报导出"
    assert at.radio(key="br_period").options == [
        "周通报（前 7 天）",
        "月通报（前 30 天）",
        "测评轮次（最近一轮开始至今）",
    ]
    assert at.number_input(key="br_issue").value is None
    assert any(label.startswith("下载全部单位在办问题清单") for label in _download_labels(at))


def test_build_runs_in_the_background_with_a_progress_bar(app):
    at = briefing_page(app)
    at.button(key="br_build").click().run(timeout=120)
    job = at.session_state["br_job"]
    if not job.done:  # 这次运行没等生成：页面上是进度条，没有下载按钮
        assert at.get("progress") and not any(label.startswith("下载幻灯片") for label in _download_labels(at))
    assert job.wait(300)
    at.run(timeout=120)
    assert not at.get("progress") and any(label.startswith("下载幻灯片") for label in _download_labels(at))


def test_build_shows_slide_titles_and_download(app):
    at = build_and_wait(briefing_page(app))
    assert any("已生成：" in s.value for s in at.success)
    labels = _download_labels(at)
    assert any(label.startswith("下载幻灯片：") and label.endswith(".pptx") for label in labels)
    assert "下载红黑榜 Excel（部门、镇街）" in labels
    toc = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert "10. 丢分预警：若明天暗访" in toc and "11. 数据来源与口径" in toc and "6. 问题热点分布" in toc


def test_issue_number_is_used_in_title(app):
    at = briefing_page(app)
    at.number_input(key="br_issue").set_value(9).run()
    at.radio(key="br_period").set_value("month").run()
    build_and_wait(at)
    assert not at.exception
    assert any("月通报 第9期" in s.value for s in at.success)


def test_day_without_data_shows_message_and_no_deck(app):
    at = briefing_page(app)
    at.date_input(key="br_day").set_value(date(2020, 1, 1)).run()
    build_and_wait(at)
    assert not at.exception
    assert any("之前没有任何问题记录" in e.value for e in at.error)
    assert not any(label.startswith("下载幻灯片") for label in _download_labels(at))


def test_overview_charts_have_png_export_buttons(app):
    at = app.run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.proto.label == "导出图片"]
    assert len(buttons) == 2
    assert all(not b.proto.disabled for b in buttons)


def test_png_export_without_chromium_says_what_to_install(app, monkeypatch):
    from chuangwen import export_png

    monkeypatch.setattr(export_png, "find_browser", lambda: None)
    at = app.run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.proto.label == "导出图片"]
    assert [b.proto.disabled for b in buttons] == [True, True]  # 总览的两张图：名次走势、问题流量
    assert any("apt-get install chromium" in c.value for c in at.caption)


def test_notices_for_every_unit_can_be_downloaded_together_and_singly(app):
    at = build_and_wait(briefing_page(app))
    labels = _download_labels(at)
    bundle = at.session_state["br_job"].result
    ns = bundle.notices
    assert ns.notices and f"下载全部督办单（Word，{len(ns.notices)} 份）" in labels
    assert "下载发送清单 Excel" in labels and "下载全部督办单（Word 与 PDF）" in labels
    unit = at.selectbox(key="br_notice_unit")
    assert unit.options == [n.unit_name for n in ns.notices]
    first = ns.notices[0]
    assert f"下载督办单：{first.unit_name}（Word）" in labels and f"下载督办单：{first.unit_name}（PDF）" in labels
    late = len(bundle.brief.frames["overdue_list"])
    assert f"下载逾期问题全部清单 Excel（{late:,} 条，随 Word 通报发出）" in labels


def test_changing_an_option_after_building_asks_to_build_again(app):
    at = build_and_wait(briefing_page(app))
    at.radio(key="br_period").set_value("month").run()
    assert any("选项已改变" in i.value for i in at.info)
    assert not any(label.startswith("下载幻灯片") for label in _download_labels(at))


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "page, expected", [("app_pages/rank_trend.py", 3), ("app_pages/league.py", 2), ("app_pages/supervision.py", 1)]
)
def test_other_pages_have_png_export_under_charts(app, page, expected):
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception
    assert sum(b.proto.label == "导出图片" for b in at.get("download_button")) == expected


def test_hotspot_page_offers_static_map_image(app):
    at = app.run()
    at.switch_page("app_pages/hotspots.py").run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")].count("导出地图图片") == 1
