from chuangwen.ui import frame

frame.not_built("问题热点", "离线热点地图（镇街分级设色、热力、点位）、多条件筛选与下钻、点位历史、热点表导出 Excel。")
