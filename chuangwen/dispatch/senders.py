"""各渠道怎么发：标准库 urllib（HTTP）与 smtplib（邮件），不加第三方依赖。

- 通用 Webhook：POST 一段 JSON（标题、期号、周期、数据截至、数据指纹、主要数字、存档文件的链接）；
- 企业微信/政务微信群机器人：markdown 摘要，再上传 PDF（upload_media）发文件消息；文件 ≤ 20 MB、图片 ≤ 2 MB；
- 钉钉/浙政钉群机器人：markdown 摘要与看板上存档文件的链接（机器人不能直接发文件）；设了加签的，地址后加
  timestamp（毫秒）与 sign = urlencode(base64(HMAC-SHA256(密钥, f"{timestamp}\n{密钥}")))（钉钉开放平台“自定义机器人安全设置”）；
- 内网邮件：SMTP（可选 STARTTLS，smtps:// 为直接 TLS），正文与附件（默认 ≤ 20 MB，地址里 limit_mb= 可改）。

报错都是中文、不带地址里的密钥（只用遮住的地址）；SendError.retry 说明值不值得稍后重试（连不上、5xx 值得；
4xx、登录失败不值得，重试也一样）。直接连接、不经环境变量里的代理：内网地址不该绕到外面去。
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import parse_qsl, quote_plus, unquote, urlsplit, urlunsplit

from chuangwen.dispatch.channels import Channel

WECOM_FILE_LIMIT = 20 * 1024 * 1024
WECOM_IMAGE_LIMIT = 2 * 1024 * 1024
WECOM_TEXT_BYTES = 4096  # 企业微信 markdown 内容上限（UTF-8 字节）
EMAIL_LIMIT = 20 * 1024 * 1024
TIMEOUT = 15
SIGN_ERRORS = (310000,)  # 钉钉：sign not match / 时间戳过期（加签不对）
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SendError(RuntimeError):
    """发送失败（中文说明，不含密钥）；retry 为 True 时稍后按退避重试。"""

    def __init__(self, message: str, *, retry: bool):
        super().__init__(message)
        self.retry = retry


@dataclass
class Message:
    """一条要发的消息：标题、markdown 正文、纯文本正文、通用 Webhook 的 JSON、附件（文件名、字节）。"""

    title: str
    markdown: str
    text: str
    payload: dict
    files: list[tuple[str, bytes]] = field(default_factory=list)


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _post(channel: Channel, url: str, body: bytes, content_type: str) -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            return response.read(1024 * 1024)
    except urllib.error.HTTPError as exc:
        retry = exc.code >= 500 or exc.code == 429
        raise SendError(
            f"渠道 {channel.name}（{channel.shown_url}）回答 HTTP {exc.code}，没有收下消息"
            + ("，稍后重试" if retry else "：请检查地址与机器人设置（重试也一样，不再重试）"),
            retry=retry,
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(
            f"连不上渠道 {channel.name}（{channel.shown_url}）：{_reason(reason)}，稍后重试", retry=True
        ) from None


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "等了 15 秒没有回答"
    if isinstance(reason, ConnectionRefusedError):
        return "对方拒绝连接（服务没开或端口不对）"
    if isinstance(reason, socket.gaierror):
        return "找不到这个主机名"
    return "网络错误"


def _robot_answer(channel: Channel, raw: bytes) -> dict:
    """机器人的回答：errcode 为 0 才算收下。"""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise SendError(
            f"渠道 {channel.name}（{channel.shown_url}）的回答不是 JSON，没有确认收下", retry=True
        ) from None
    code = answer.get("errcode", 0)
    if code in SIGN_ERRORS:
        raise SendError(
            f"渠道 {channel.name}（{channel.shown_url}）拒收：加签不对（错误码 {code}）：请核对加签密钥"
            "（机器人安全设置里“加签”下 SEC 开头的那串）与服务器时钟（相差不能超过 1 小时）",
            retry=False,
        )
    if code != 0:
        raise SendError(
            f"渠道 {channel.name}（{channel.shown_url}）拒收：错误码 {code}（{str(answer.get('errmsg', ''))[:80]}）",
            retry=False,
        )
    return answer


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 30].decode("utf-8", "ignore") + "\n……（过长，已截断）"


def now_ms() -> int:
    """加签用的时间戳（毫秒）：钉钉要求与它的时钟相差不超过 1 小时。测试里换成固定值。"""
    return int(time.time() * 1000)


def dingtalk_sign(secret: str, timestamp: int) -> str:
    """钉钉加签：HMAC-SHA256（密钥为加签密钥，消息为 “时间戳\n密钥”），Base64 后再做 URL 编码。"""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp: int) -> str:
    """地址后加上 timestamp 与 sign（原有的 access_token 等照留）。"""
    parts = urlsplit(url)
    extra = f"timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, f"{parts.query}&{extra}" if parts.query else extra, ""))


def send(channel: Channel, url: str, password: str, message: Message) -> list[str]:
    """发一条消息；返回附加说明（例如文件超过渠道上限没有发，文字照发）。失败抛 SendError。
    password：邮件渠道为 SMTP 口令，钉钉渠道为加签密钥（空串为没有加签）。"""
    if channel.kind == "webhook":
        _post(channel, url, _json(message.payload), "application/json; charset=utf-8")
        return []
    if channel.kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": _cut(message.markdown, 18000)}}
        target = signed_url(url, password, now_ms()) if password else url
        _robot_answer(channel, _post(channel, target, _json(body), "application/json; charset=utf-8"))
        return []
    if channel.kind == "wecom":
        return _wecom(channel, url, message)
    return _email(channel, url, password, message)


def _wecom(channel: Channel, url: str, message: Message) -> list[str]:
    body = {"msgtype": "markdown", "markdown": {"content": _cut(message.markdown, WECOM_TEXT_BYTES)}}
    _robot_answer(channel, _post(channel, url, _json(body), "application/json; charset=utf-8"))
    notes = []
    for name, data in message.files:
        limit = WECOM_IMAGE_LIMIT if name.lower().endswith((".png", ".jpg", ".jpeg")) else WECOM_FILE_LIMIT
        if len(data) > limit:
            notes.append(
                f"{name} 有 {_human(len(data))}，超过企业微信的上限 {_human(limit)}，没有发这个文件（摘要已发，存档里有）"
            )
            continue
        parts = urlsplit(url)
        upload = urlunsplit(
            (parts.scheme, parts.netloc, parts.path.replace("/send", "/upload_media"), parts.query + "&type=file", "")
        )
        boundary = uuid.uuid4().hex
        form = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="{name}"; filelength={len(data)}\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = _robot_answer(channel, _post(channel, upload, form, f"multipart/form-data; boundary={boundary}"))
        media = {"msgtype": "file", "file": {"media_id": answer.get("media_id", "")}}
        _robot_answer(channel, _post(channel, url, _json(media), "application/json; charset=utf-8"))
    return notes


def _email(channel: Channel, url: str, password: str, message: Message) -> list[str]:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    limit = int(float(query.get("limit_mb", EMAIL_LIMIT / 1024 / 1024)) * 1024 * 1024)
    user = unquote(parts.username or "")
    secret = password or unquote(parts.password or "")
    sender = query.get("from") or user or "chuangwen@localhost"
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(a.strip() for a in query["to"].split(",") if a.strip())
    mail.set_content(message.text)
    notes, total = [], 0
    for name, data in message.files:
        if total + len(data) > limit:
            notes.append(f"{name} 有 {_human(len(data))}，附件合计会超过邮件上限 {_human(limit)}，没有附上（存档里有）")
            continue
        total += len(data)
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    try:
        if parts.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname or "", port, timeout=TIMEOUT)
        else:
            smtp = smtplib.SMTP(parts.hostname or "", port, timeout=TIMEOUT)
        with smtp:
            if query.get("starttls") in ("1", "true", "yes"):
                smtp.starttls(context=ssl.create_default_context())
            if user:
                smtp.login(user, secret)
            smtp.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise SendError(
            f"邮件服务器拒绝登录（渠道 {channel.name}，{channel.shown_url}）：用户名或口令不对，请重新设置渠道（不再重试）",
            retry=False,
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise SendError(
            f"邮件服务器拒收收件人（渠道 {channel.name}，{channel.shown_url}），请检查 to=", retry=False
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(
            f"发邮件失败（渠道 {channel.name}，{channel.shown_url}）：{_reason(exc) if isinstance(exc, OSError) else '邮件服务器出错'}，稍后重试",
            retry=True,
        ) from None
    return notes
