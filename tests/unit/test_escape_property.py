"""性质测试：任何文字（含 XSS、Markdown、Plotly 标记的片段）经转义后，不剩一个能起作用的标记字符。"""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from chuangwen.escape import html_text, md, plotly_text

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "![x](http://192.0.2.1/x.png)",
    "[点我](javascript:alert(1))",
    ":red[红]",
    "$x^2$",
    "**粗**",
    "<a href='http://x'>",
    "www.x.cn",
    "a@b.cn",
    "http://192.0.2.1",
    "\n# 标题\n",
    "| a | b |",
    "&lt;",
    "\\",
    "`code`",
    "~~删~~",
    "\x00\x1b",
    "\u2028",
]
texts = st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=20)), max_size=6).map("".join)
ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@settings(max_examples=400, deadline=None)
@given(texts)
def test_html_text_leaves_no_tag_or_quote_and_round_trips(text):
    out = html_text(text)
    assert not set(out) & set("<>\"'")
    assert re.fullmatch(r"(?:[^&]|&(?:lt|gt|amp|quot|#x27);)*", out)
    assert html.unescape(out) == re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_md_backslash_escapes_every_ascii_punctuation_and_breaks_bare_urls(text):
    out = md(text)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in ASCII_PUNCT  # 反斜杠只用来转义下一个标点
            i += 2
            continue
        assert out[i] not in ASCII_PUNCT, (text, out, i)
        i += 1
    assert "://" not in out.replace("\\", "") and "www." not in out.lower().replace("\\", "")


@settings(max_examples=200, deadline=None)
@given(texts)
def test_plotly_text_leaves_no_tag(text):
    out = plotly_text(text)
    assert "<" not in out and ">" not in out
