from chuangwen.ui import frame

frame.not_built("红黑榜", "部门（条）与镇街（块）排行：交办、销号、按期销号率、逾期、反弹、退回、测评丢分，红榜/黑榜与名次变化。")
