"""测试用的本机假服务：假 Webhook（http.server，线程里跑）与假 SMTP 收件箱（只认 EHLO/AUTH PLAIN/MAIL/RCPT/DATA/QUIT）。
都只听 127.0.0.1 的随机端口；收到的原样记下，测试逐字核对。"""

from __future__ import annotations

import base64
import email
import hmac
import http.server
import json
import socketserver
import threading
import urllib.parse
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class Hook:
    """假 Webhook：每个请求记下（路径, 请求体字节）；answer 为（HTTP 状态码, 回答 JSON）。"""

    url: str = ""
    requests: list[tuple[str, bytes]] = field(default_factory=list)
    answer: tuple[int, dict] = (200, {"errcode": 0})
    sign_secret: str | None = None  # 设了时像钉钉加签的机器人：地址里 timestamp 与 sign 对不上就拒收（错误码 310000）

    def json_bodies(self) -> list[dict]:
        return [json.loads(body) for path, body in self.requests if "upload_media" not in path]

    def uploads(self) -> list[bytes]:
        return [body for path, body in self.requests if "upload_media" in path]


def _dingtalk_sign_ok(path: str, secret: str) -> bool:
    """按钉钉开放平台的说法独立核对加签：sign 经 URL 解码后 = base64(HMAC-SHA256(密钥, "timestamp\n密钥"))。"""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if len(query.get("timestamp", [])) != 1 or len(query.get("sign", [])) != 1:
        return False
    timestamp = query["timestamp"][0]
    mac = hmac.new(secret.encode(), (timestamp + "\n" + secret).encode(), "sha256").digest()
    return hmac.compare_digest(query["sign"][0], base64.b64encode(mac).decode())


def start_hook() -> tuple[Hook, http.server.ThreadingHTTPServer]:
    hook = Hook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append((self.path, body))
            code, answer = hook.answer
            if hook.sign_secret is not None and not _dingtalk_sign_ok(self.path, hook.sign_secret):
                code, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
            if "upload_media" in self.path and code == 200:
                answer = {"errcode": 0, "media_id": "MEDIA1"}
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}"
    return hook, server


@dataclass
class Inbox:
    """假 SMTP：收到的信（email.message.Message）与登录用过的（用户名, 口令）；password 为它认的口令。"""

    port: int = 0
    password: str = "right"
    mails: list[Message] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


def start_smtp() -> tuple[Inbox, socketserver.ThreadingTCPServer]:
    inbox = Inbox()

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write((line + "\r\n").encode())

        def handle(self) -> None:
            self.reply("220 fake ESMTP")
            while raw := self.rfile.readline():
                line = raw.decode().rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.wfile.write(b"250-fake\r\n250-AUTH PLAIN\r\n250 OK\r\n")
                elif verb == "AUTH":
                    parts = line.split(" ")
                    _, user, pw = base64.b64decode(parts[2]).decode().split("\0")
                    inbox.logins.append((user, pw))
                    self.reply("235 ok" if pw == inbox.password else "535 authentication failed")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 go")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    inbox.mails.append(email.message_from_bytes(data))
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 no")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inbox.port = server.server_address[1]
    return inbox, server
