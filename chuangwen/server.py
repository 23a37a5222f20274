"""`chuangwen serve`：用随产品发布的加固设置启动看板，设置全部写在命令行上，与从哪个目录启动无关。

看板是一个 ASGI 应用（st.App，webapp.py）：登录路由、每个请求先过的门与安全响应头都在应用里，单进程不经 nginx 也一样；
多进程与 HTTPS 时前面加 nginx（按 cookie 粘到同一进程），nginx 给每个转发的请求加一个本次启动生成的暗号，
看板只认带着暗号的请求里的统一认证请求头与客户端地址。

Streamlit 会读当前目录的 .streamlit/config.toml 和 ~/.streamlit/config.toml；从别处启动时它们可能不在，
也可能是别人放的（监听所有网卡、显示完整堆栈、发送使用统计、关掉静态文件）。命令行参数优先于这两处与
STREAMLIT_* 环境变量，所以这里把每一项都显式传过去。不依赖 streamlit（只拼命令行）。
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chuangwen import settings, signin
from chuangwen.imports.readers import MAX_MB

if TYPE_CHECKING:
    import subprocess

WEBAPP = settings.APP_ROOT / "webapp.py"


@dataclass(frozen=True)
class Flag:
    option: str
    value: str
    why: str


# 固定的加固设置：不随环境变量改变（README“服务器设置”表逐项说明，测试核对 Streamlit 实际生效的值）
HARDENED: tuple[Flag, ...] = (
    Flag("server.headless", "true", "服务器上不打开浏览器、不询问邮箱"),
    Flag("server.enableStaticServing", "true", "地图脚本等离线素材由应用自己的 static/ 提供（/app/static/）"),
    Flag("server.enableXsrfProtection", "true", "上传文件要带 XSRF 令牌，防止别的网页替用户上传"),
    Flag("server.enableCORS", "true", "只接受本站页面的请求"),
    Flag("server.maxUploadSize", str(MAX_MB), "上传上限（MB）与导入程序自己的上限相同；更大的文件在浏览器里就被拒收"),
    Flag("server.fileWatcherType", "none", "生产环境不监视源码变化"),
    Flag("server.runOnSave", "false", "源码变化不自动重跑"),
    Flag("client.showErrorDetails", "none", "出错时不向用户显示堆栈和源码"),
    Flag(
        "client.toolbarMode",
        "minimal",
        "右上角不出英文菜单（Print、Record screen、Made with Streamlit……）与“部署”“重新运行”等开发者选项",
    ),
    Flag("browser.gatherUsageStats", "false", "内网运行，不向外发送使用统计"),
    Flag(
        "runner.postScriptGC",
        "false",
        "每次页面运行后不强制做完整垃圾回收（内存照常由 Python 自动回收）：实测 20k 示例上它占看板进程 CPU 的六成多，"
        "且回收时所有会话都停着",
    ),
    Flag("theme.base", "light", "浅色底，投影清楚"),
    Flag("theme.primaryColor", "#B71C1C", "庄重的深红，正式场合投影也清楚"),
    Flag("theme.font", "sans-serif", "系统无衬线字体（中文为 Noto Sans CJK / 微软雅黑），不取在线字体"),
)


def streamlit_flags(address: str, port: int) -> list[str]:
    """传给 `streamlit run` 的全部设置：监听地址与端口（来自设置）加固定的加固设置。"""
    flags = ["--server.address", address, "--server.port", str(port)]
    for flag in HARDENED:
        flags += [f"--{flag.option}", flag.value]
    return flags


def command(address: str, port: int, python: str = sys.executable, webapp: Path = WEBAPP) -> list[str]:
    """启动看板的完整命令行（绝对路径，任何工作目录下都一样）：streamlit run 认出 webapp.py 里的 st.App，用 uvicorn 运行。"""
    return [python, "-m", "streamlit", "run", str(webapp), *streamlit_flags(address, port)]


# ---------------------------------------------------------------- 多个进程 + 反向代理

NGINX_TEMPLATE = settings.APP_ROOT / "deploy" / "nginx.conf.template"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


class ServeError(Exception):
    """多进程启动失败；消息为中文。"""


def find_nginx() -> str | None:
    import shutil

    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _worker_user() -> tuple[str, int, int] | None:
    """root 启动时 nginx 的工作进程降到的用户：Debian 的 www-data，没有时 nobody。不是 root 时不换（None）。"""
    import grp
    import pwd

    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        group = grp.getgrgid(entry.pw_gid).gr_name
        return f"{name} {group}", entry.pw_uid, entry.pw_gid
    raise ServeError("以 root 启动时 nginx 的工作进程要降到普通用户，但本机既没有 www-data 也没有 nobody 用户。")


TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


def prepare_runtime(runtime: Path) -> str:
    """nginx 的运行目录：配置（含暗号）只有启动的用户能读；工作进程降权后只能进自己的临时目录。返回 user 指令（或空）。"""
    runtime.mkdir(parents=True, exist_ok=True)
    worker = _worker_user()
    os.chmod(runtime, 0o711 if worker else 0o700)  # 工作进程能穿过，不能列目录、读配置
    for name in TEMP_DIRS:
        path = runtime / name
        path.mkdir(exist_ok=True)
        if worker:
            os.chown(path, worker[1], worker[2])
            os.chmod(path, 0o700)
    return f"user {worker[0]};" if worker else ""


def nginx_config(
    address: str, port: int, worker_ports: list[int], runtime: Path, *, secret: str, user: str = ""
) -> str:
    """由模板生成 nginx 配置：监听 address:port，按 cookie 粘到 worker_ports 中的一个，每个转发的请求带上暗号 secret。"""
    listen = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    header = settings.get("trust_user_header") or "X-Chuangwen-User"  # 不信任时也清空客户端带的这个名字
    cert, key = settings.get("tls_cert"), settings.get("tls_key")
    if bool(cert) != bool(key):
        raise ServeError("HTTPS 要同时给证书与私钥：CHUANGWEN_TLS_CERT 与 CHUANGWEN_TLS_KEY。")
    values = {
        "runtime": str(runtime),
        "user": user,
        "listen": listen,
        "upload_mb": str(MAX_MB + 2),
        "servers": "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in worker_ports),
        "user_header": header,
        # 没开统一认证时，本机来的也不转发（一律清空）
        "user_header_value": ("$http_" + header.lower().replace("-", "_"))
        if settings.get("trust_user_header")
        else '""',
        "proxy_header": signin.PROXY_HEADER,
        "client_header": signin.CLIENT_HEADER,
        "secret": secret,
        "ssl": " ssl" if cert else "",
        "tls": (
            f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_cache shared:cw_tls:1m;"
        )
        if cert
        else "",
        "cookie_secure": "; Secure" if cert else "",
    }
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _free_ports(start: int, count: int) -> list[int]:
    import socket

    ports: list[int] = []
    candidate = start
    while len(ports) < count and candidate < 65535:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", candidate))
                ports.append(candidate)
            except OSError:
                pass
        candidate += 1
    return ports


def _wait_healthy(port: int, proc: subprocess.Popen, seconds: float = 120) -> None:
    import http.client
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(f"端口 {port} 上的看板进程启动失败（退出码 {proc.returncode}），见上面的输出。")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            # 进程还没开始监听时反复连本机端口，偶尔连上自己（TCP 自连接：源端口恰好等于目标端口），
            # 读回的是自己发的请求行（BadStatusLine，不是 OSError）：同样当作“还没就绪”
            time.sleep(0.3)
    raise ServeError(f"端口 {port} 上的看板进程 {seconds:.0f} 秒内没有就绪。")


def run_workers(address: str, port: int, workers: int, env: dict, runtime: Path) -> int:
    """启动 workers 个只听本机的 Streamlit 进程和前面的 nginx，一直运行到收到 SIGTERM/SIGINT 或有进程退出。"""
    import secrets
    import signal
    import subprocess
    import time

    nginx = find_nginx()
    if nginx is None:
        raise ServeError(
            "多进程模式需要 nginx 做反向代理：请安装 Debian 的 nginx（sudo apt-get install nginx；"
            "bash scripts/start.sh 会自动安装），或用 --workers 1。"
        )
    user = prepare_runtime(runtime)
    secret = secrets.token_urlsafe(32)
    env = {**env, signin.PROXY_SECRET_ENV: secret}
    ports = _free_ports(port + 1, workers)
    children: list[subprocess.Popen] = []
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for p in ports:
            children.append(subprocess.Popen(command("127.0.0.1", p), env=env))
        for p, proc in zip(ports, children):
            _wait_healthy(p, proc)
        conf = runtime / "nginx.conf"
        conf.touch(mode=0o600)
        os.chmod(conf, 0o600)
        conf.write_text(nginx_config(address, port, ports, runtime, secret=secret, user=user), encoding="utf-8")
        check = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(runtime)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ServeError(f"nginx 配置检查未通过：{check.stderr.strip()[:400]}")
        children.append(subprocess.Popen([nginx, "-c", str(conf), "-p", str(runtime), "-g", "daemon off;"]))
        print(
            f"创文看板已启动：http://{address}:{port}（{workers} 个进程，端口 {'、'.join(map(str, ports))}，"
            f"nginx 配置 {conf}）",
            flush=True,
        )
        while not stopping:
            if any(proc.poll() is not None for proc in children):
                dead = next(proc for proc in children if proc.poll() is not None)
                print(f"进程 {dead.pid} 已退出（退出码 {dead.returncode}），停止全部进程。", flush=True)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        for proc in children:
            if proc.poll() is None:
                proc.terminate()
        for proc in children:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
