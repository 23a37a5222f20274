-- 片段（不是独立查询）：整改记录顺序存疑的标记，取自发布时派生的表 event_order_flag
-- （规则只写在 _event_order_rules.sql，发布时由 chuangwen.derived.rebuild 按它整表重建；测试把这一段换回规则本身逐行核对）
event_order_flags as (
    select problem_code, reason, flag_at, found_at, lead_unit_code, township_code, round_code, event_times
    from event_order_flag
),
