"""真实服务器 + 无头 chromium：数据管理页的上传控件（拖放区按钮、说明、拖放提示、拒收原因）显示中文，不露出 Streamlit 写死的英文。"""

from __future__ import annotations

import re

import pytest

from chuangwen.imports import MAX_BYTES
from tests.e2e.conftest import running_server, settle

pytestmark = pytest.mark.e2e

LIMIT_MB = MAX_BYTES // (1024 * 1024)
ENGLISH = ("Drag and drop", "per file", "Browse files", "Upload", "must be", "not allowed")
ZONE = '.st-key-{key} [data-testid="stFileUploaderDropzone"]'


@pytest.fixture(scope="module")
def admin_server(e2e_demo_db, tmp_path_factory):
    with running_server(e2e_demo_db, tmp_path_factory.mktemp("upload") / "streamlit.log") as url:
        yield url


def _after(page, selector: str) -> str:
    """元素 ::after 显示的文字（innerText 不含伪元素，只能读计算样式）。"""
    content = page.locator(selector).first.evaluate("e => getComputedStyle(e, '::after').content")
    return re.sub(r"\\a ?", "\n", content.strip('"'), flags=re.IGNORECASE)


def _open(page, url: str, key: str = "dm_file"):
    page.goto(f"{url}/data_admin", wait_until="domcontentloaded")
    page.locator(ZONE.format(key=key)).wait_for(timeout=60_000)
    settle(page)


def _visible_english(page, selector: str) -> list[str]:
    text = page.locator(selector).first.inner_text()
    return [word for word in ENGLISH if word in text]


def test_dropzone_shows_chinese_button_and_limits(admin_server, offline_page, artifacts):
    page = offline_page
    _open(page, admin_server)
    zone = ZONE.format(key="dm_file")
    hint = _after(page, f'{zone} [data-testid="stFileUploaderDropzoneInstructions"]')
    assert hint == f"将文件拖到这里，或点击“选择文件”\n单个文件不超过 {LIMIT_MB} MB · 支持 .xlsx / .xls / .csv"
    assert (
        _after(page, f'{zone} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]') == "选择文件"
    )
    assert _visible_english(page, zone) == []
    assert page.locator(zone).get_by_text("per file").is_hidden()
    assert page.locator(zone).get_by_text("Upload", exact=True).is_hidden()
    page.locator(zone).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "data_admin_upload.png"))

    # 拖着文件经过时的提示层
    page.evaluate(
        """(sel) => { const dt = new DataTransfer(); dt.items.add(new File(['x'], 'a.csv', {type: 'text/csv'}));
        document.querySelector(sel).dispatchEvent(new DragEvent('dragenter', {bubbles: true, cancelable: true, dataTransfer: dt})); }""",
        zone,
    )
    overlay = f"{zone} > div:not([data-testid]) > span"
    page.locator(overlay).wait_for(timeout=60_000)
    assert _after(page, overlay) == "松开鼠标即可上传"
    assert page.locator(overlay).evaluate("e => e.getBoundingClientRect().height") > 0
    assert page.locator(overlay).evaluate("e => getComputedStyle(e).fontSize") == "0px"
    page.screenshot(path=str(artifacts / "data_admin_upload_drag.png"))
    assert page.external == []


def test_boundary_dropzone_lists_its_own_file_types(admin_server, offline_page, artifacts):
    page = offline_page
    _open(page, admin_server)
    page.get_by_role("combobox", name="导入什么").click()
    page.get_by_role("option", name="镇街边界").click()
    zone = ZONE.format(key="dm_geo_file")
    page.locator(zone).wait_for(timeout=60_000)
    settle(page)
    hint = _after(page, f'{zone} [data-testid="stFileUploaderDropzoneInstructions"]')
    assert hint.endswith(f"单个文件不超过 {LIMIT_MB} MB · 支持 .geojson / .json / .zip")
    assert _visible_english(page, zone) == []
    page.screenshot(path=str(artifacts / "data_admin_upload_boundaries.png"))
    assert page.external == []


def test_oversized_file_is_refused_in_chinese_and_never_uploaded(admin_server, offline_page, artifacts, tmp_path):
    page = offline_page
    uploads = []
    page.on("request", lambda r: uploads.append(r.url) if "/_stcore/upload_file" in r.url else None)
    _open(page, admin_server)
    big = tmp_path / "全年台账.xlsx"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # 稀疏文件：200 MB，不占磁盘
    zone = ZONE.format(key="dm_file")
    page.locator(f'{zone} [data-testid="stFileUploaderDropzoneInput"]').set_input_files(big)
    chip = page.locator(f'{zone} [data-testid="stFileChip"][aria-invalid="true"]')
    chip.wait_for(timeout=60_000)
    assert _after(page, zone) == f"未上传：文件超过 {LIMIT_MB} MB"
    chip.hover()
    tip = page.locator('[data-testid="stTooltipErrorContent"]')
    tip.wait_for(timeout=60_000)
    assert _after(page, '[data-testid="stTooltipErrorContent"]') == f"未上传：文件超过 {LIMIT_MB} MB"
    assert tip.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # 英文原文字号为 0，看不见
    tip.evaluate("e => Promise.all(e.getAnimations({subtree: true}).map(a => a.finished))")  # 悬停提示淡入完
    page.screenshot(path=str(artifacts / "data_admin_upload_too_large.png"))
    # 文件没有离开浏览器，页面仍在等待选择文件，什么也没写入（等页面安静后再看有没有上传请求）
    settle(page)
    assert uploads == []
    assert page.get_by_text("先选择文件").is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.external == []


def test_wrong_file_type_is_refused_in_chinese(admin_server, offline_page, tmp_path):
    page = offline_page
    _open(page, admin_server)
    zone = ZONE.format(key="dm_file")
    page.locator(f'{zone} [data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.locator(f'{zone} [data-testid="stFileChip"][aria-invalid="true"]').wait_for(timeout=60_000)
    assert _after(page, zone) == "未上传：只支持 .xlsx / .xls / .csv 文件"
    assert page.get_by_text("先选择文件").is_visible()
    assert page.external == []
