"""创文看板核心包：不依赖 streamlit（chuangwen.ui 除外），测试可直接调用。"""

__version__ = "0.1.0"
