"""地图离线素材：安装时用 npm 从软件源取 Leaflet 与热力图插件，校验哈希后放进应用自己的 static/ 目录。

运行时地图只引用 /app/static/vendor/... （Streamlit 静态文件服务，chuangwen serve 已开启），
不访问任何 CDN。素材不入库：由 scripts/start.sh、scripts/test.sh 调用 `python -m chuangwen.assets` 准备。
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chuangwen.settings import APP_ROOT

STATIC_DIR = APP_ROOT / "static"
VENDOR = "vendor"
URL_ROOT = "/app/static"


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # npm 软件源公布的 sha512，下载后逐字节校验
    files: tuple[tuple[str, str], ...]  # （包内路径，vendor 下目标路径）


PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        (
            ("dist/leaflet.js", "leaflet/leaflet.js"),
            ("dist/leaflet.css", "leaflet/leaflet.css"),
            ("dist/images/layers.png", "leaflet/images/layers.png"),
            ("dist/images/layers-2x.png", "leaflet/images/layers-2x.png"),
            ("dist/images/marker-icon.png", "leaflet/images/marker-icon.png"),
            ("dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
            ("dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
            ("LICENSE", "leaflet/LICENSE"),
        ),
    ),
    NpmPackage(
        "leaflet.heat",
        "0.2.0",
        "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        (("dist/leaflet-heat.js", "leaflet.heat/leaflet-heat.js"), ("LICENSE", "leaflet.heat/LICENSE")),
    ),
)

LEAFLET_JS = f"{URL_ROOT}/{VENDOR}/leaflet/leaflet.js"
LEAFLET_CSS = f"{URL_ROOT}/{VENDOR}/leaflet/leaflet.css"
HEAT_JS = f"{URL_ROOT}/{VENDOR}/leaflet.heat/leaflet-heat.js"
_STAMP = ".installed.json"


class AssetError(RuntimeError):
    """素材无法准备；消息为中文。"""


def _wanted() -> dict[str, str]:
    return {p.name: p.version for p in PACKAGES}


def _vendor(static_dir: Path) -> Path:
    return static_dir / VENDOR


def is_installed(static_dir: Path = STATIC_DIR) -> bool:
    """素材齐全且版本与本程序要求一致。"""
    vendor = _vendor(static_dir)
    try:
        stamp = json.loads((vendor / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == _wanted() and all((vendor / dst).is_file() for p in PACKAGES for _, dst in p.files)


def _sri(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _npm_pack(packages: tuple[NpmPackage, ...], dest: Path) -> dict[str, Path]:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "没有找到 npm：地图素材（Leaflet）需要在安装时用 npm 从软件源（或内网镜像）获取，请先安装 Node.js 与 npm。"
        )
    specs = [f"{p.name}@{p.version}" for p in packages]
    proc = subprocess.run(
        [npm, "pack", *specs, "--json", "--pack-destination", str(dest)],
        cwd=dest,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise AssetError(f"npm pack {' '.join(specs)} 失败：{proc.stderr.strip()[-800:]}")
    return {item["name"]: dest / item["filename"] for item in json.loads(proc.stdout)}


def _extract(tarball: Path, package: NpmPackage, vendor: Path) -> None:
    with tarfile.open(tarball, "r:gz") as tar:
        for inner, dst in package.files:
            member = tar.getmember(f"package/{inner}")
            src = tar.extractfile(member) if member.isfile() else None
            if src is None:
                raise AssetError(f"{package.name} 包内 {inner} 不是普通文件")
            target = vendor / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            with src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def install(static_dir: Path = STATIC_DIR, *, force: bool = False) -> bool:
    """准备 static/vendor：已齐全时什么都不做，返回是否新安装。下载的包必须与登记的 sha512 一致。"""
    if not force and is_installed(static_dir):
        return False
    vendor = _vendor(static_dir)
    with tempfile.TemporaryDirectory(prefix="chuangwen-assets-") as tmp:
        tmp_path = Path(tmp)
        tarballs = _npm_pack(PACKAGES, tmp_path)
        staging = tmp_path / "vendor"
        for p in PACKAGES:
            tarball = tarballs.get(p.name)
            if tarball is None or not tarball.exists():
                raise AssetError(f"npm 没有返回 {p.name}@{p.version} 的包文件")
            if _sri(tarball) != p.integrity:
                raise AssetError(f"{p.name}@{p.version} 的校验值与登记的不一致，拒绝使用")
            _extract(tarball, p, staging)
        (staging / _STAMP).write_text(json.dumps(_wanted(), ensure_ascii=False), encoding="utf-8")
        if vendor.exists():
            shutil.rmtree(vendor)
        vendor.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, vendor)
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        fresh = install(force="--force" in args)
    except (AssetError, OSError, subprocess.SubprocessError) as exc:
        print(f"错误：地图离线素材准备失败：{exc}", file=sys.stderr)
        return 1
    names = "、".join(f"{p.name} {p.version}" for p in PACKAGES)
    print(f"地图离线素材{'已安装' if fresh else '已就绪'}：{names} → {_vendor(STATIC_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
