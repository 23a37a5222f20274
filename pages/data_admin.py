from chuangwen.ui import frame

frame.not_built("数据管理", "导入问题台账、整改记录、测评成绩与镇街边界（Excel/CSV/GeoJSON），导入前校验、可回滚，下载模板。")
