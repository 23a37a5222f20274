"""通报导出页：选项、生成幻灯片、目录预览、下载按钮、无数据的统计日给出中文提示。"""

from datetime import date

from tests.app.conftest import switch_to


def briefing_page(app):
    return switch_to(app, "app_pages/briefing.py")


def _download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


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


def test_build_shows_slide_titles_and_download(app):
    at = briefing_page(app)
    at.button(key="br_build").click().run(timeout=120)
    assert not at.exception
    assert any("已生成：" in s.value for s in at.success)
    labels = _download_labels(at)
    assert any(label.startswith("下载幻灯片：") and label.endswith(".pptx") for label in labels)
    assert "下载红黑榜 Excel（部门、镇街）" in labels
    toc = next(m.value for m in at.markdown if m.value.startswith("1. "))
    assert "10. 数据来源与口径" in toc and "6. 问题热点分布" in toc


def test_issue_number_is_used_in_title(app):
    at = briefing_page(app)
    at.number_input(key="br_issue").set_value(9).run()
    at.radio(key="br_period").set_value("month").run()
    at.button(key="br_build").click().run(timeout=120)
    assert not at.exception
    assert any("月通报 第9期" in s.value for s in at.success)


def test_day_without_data_shows_message_and_no_deck(app):
    at = briefing_page(app)
    at.date_input(key="br_day").set_value(date(2020, 1, 1)).run()
    at.button(key="br_build").click().run(timeout=120)
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
