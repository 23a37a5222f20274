"""地图离线素材缺失时（例如安装时没有 npm），问题热点页说明原因、照常显示统计，不画一块空白地图。"""

from chuangwen import assets


def test_hotspots_page_explains_missing_map_assets(app, monkeypatch):
    monkeypatch.setattr(assets, "is_installed", lambda *a, **k: False)
    at = app.run()
    at.switch_page("app_pages/hotspots.py").run()
    assert not at.exception
    assert any("地图离线素材" in w.value for w in at.warning)
    assert [m.label for m in at.metric] == [
        "在办问题（存量）",
        "逾期（存量）",
        "区间内发现",
        "区间内发现且逾期",
        "区间内发现且反弹",
        "可上图",
    ]
