from chuangwen.ui import frame

frame.not_built("通报导出", "一键生成周通报与推进会幻灯片（PPTX）、图表图片（PNG）与台账 Excel，注明期数与数据截至。")
