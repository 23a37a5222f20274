from chuangwen.ui import frame

frame.not_built("排名趋势", "本县与全省排名组历年名次（名次图 1 在最上）、得分走势、与目标名次和对手的分差分析、推进会投影模式。")
