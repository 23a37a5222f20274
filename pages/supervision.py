from chuangwen.ui import frame

frame.not_built("整改督办", "未销号问题台账、整改时间线、本周到期、未销号燃尽图、按单位导出 Excel 清单。")
