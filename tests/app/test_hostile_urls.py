"""任何网址参数都打不坏页面：超出范围的日期、100 KB 的值、SQL 片段、标记，每页都照常显示、没有异常。"""

from __future__ import annotations

import re

import pytest

from chuangwen import hotspots
from tests.app.conftest import PAGES
from tests.oracles import data_days

UNESCAPED = re.compile(r"(?<!\\)(\]\(|<img|!\[)")  # 没有被反斜杠转义的链接、图片、标签
KEYS = ("from", "to", "town", "unit", "round", *hotspots.URL_KEYS, "页")
VALUES = {
    "far_dates": {"from": "0001-01-01", "to": "9999-12-31"},
    "huge": dict.fromkeys(KEYS, "9" * 100_000),
    "sql": dict.fromkeys(KEYS, "1' or '1'='1'; drop table problem; --"),
    "markup": dict.fromkeys(KEYS, "![x](http://192.0.2.1/x.png)<img src=x onerror=alert(1)>"),
}


def shown_texts(at) -> list[str]:
    return [m.value for m in (*at.markdown, *at.caption, *at.sidebar.caption, *at.sidebar.markdown)]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("case", list(VALUES))
def test_page_renders_whatever_the_url_says(app, page, case):
    for k, v in VALUES[case].items():
        app.query_params[k] = v
    at = app.run()
    assert not at.exception, [e.message for e in at.exception]
    texts = shown_texts(at)
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title
    texts += shown_texts(at)
    assert not any(UNESCAPED.search(t) for t in texts), "网址里的标记原样进了 Markdown"


def test_far_dates_are_clamped_and_said_in_the_sidebar(app, demo_db):
    for k, v in VALUES["far_dates"].items():
        app.query_params[k] = v
    at = app.run()
    assert tuple(at.session_state["flt_range"]) == data_days(demo_db)  # 夹到库里数据的第一天与数据截至那天
    notes = [c.value.replace("\\", "") for c in at.sidebar.caption]  # 显示时的 Markdown 转义去掉再比
    assert any("网址参数 from 的日期 0001-01-01 超出数据范围" in n for n in notes)
    assert any("网址参数 to 的日期 9999-12-31 超出数据范围" in n for n in notes)
