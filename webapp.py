"""创文看板的 Web 服务器（st.App，由 uvicorn 运行）：登录与退出两条路由、每个请求先过的一道门（chuangwen.gate），
画框 dashboard.py 是每个页面会话运行的脚本。`chuangwen serve` 用 `streamlit run webapp.py` 加上加固设置启动它。
服务起来后，后台线程预热丢分预警的全县默认口径（chuangwen.ui.prewarm）：发布新版本后也再预热一次。"""

import streamlit as st

from chuangwen import gate, settings
from chuangwen.ui import page_modules, prewarm, webapp

app = st.App(
    settings.APP_ROOT / "dashboard.py",
    routes=gate.routes(),
    middleware=webapp.middleware(),
    lifespan=prewarm.lifespan([("丢分预警", lambda view: page_modules.load("loss_risk").warm(view))]),
)
