-- 两个单位共用的点位（issue 27 第 10 部分：责任单位在点位历史里看见别的单位的问题）。
-- 甲县 1 个镇街、1 个点位 S01（南门农贸市场），同一类别“出店经营”的 5 条问题，反弹天数按 30 天都成立：
--   A1 城管局（D01）10-12 发现、10-14 销号；
--   B1 交警大队（D02）10-16 发现（A1 销号后再次发现 → 反弹自 A1）、10-20 销号；
--   A2 城管局 10-22 发现（B1 销号后再次发现 → 反弹自 B1），在办；
--   C1 交警大队牵头、城管局配合，10-24 发现（反弹自 B1）、10-27 销号；
--   A3 城管局 11-01 发现（反弹自 C1：城管局配合的问题，城管局看得到），在办。
-- 城管局的点位历史：A1、A2、C1、A3；A2、C1 的“反弹自”是 B1（城管局既不牵头也不配合）→ 只写“其他单位的问题”。
-- 答案见 tests/unit/test_hotspot_queries.py 与 tests/unit/test_viewer_scope.py。
insert into meta values
    ('is_demo', '0'),
    ('data_cutoff', '2026-11-15 18:00:00'),
    ('our_region_code', '990101'),
    ('province_code', '990000'),
    ('province_name', '测试省'),
    ('county_name', '甲县');

insert into region values ('990000', '测试省', '省', '省', null, 5000000, 117.5, 31.5, 1);
insert into region values ('990101', '甲县', '县级', '县', '990000', 400000, 117.1, 31.05, 1);
insert into region values ('990101001', '城关街道', '镇街', '街道', '990101', 120000, 117.05, 31.05, 1);

insert into unit values
    ('D01', '城管局', '条', '政府部门', null, 1),
    ('D02', '交警大队', '条', '垂管单位', null, 2),
    ('D03', '县委宣传部（文明办）', '条', '党委部门', null, 3);

insert into site_type values ('农贸市场', 1);
insert into problem_category values ('市容秩序', null, 1), ('出店经营', '市容秩序', 2);

insert into site values
    ('S01', '南门农贸市场', '农贸市场', '990101001', null, '南门路 1 号', 117.04, 31.04, 'WGS84', 117.04, 31.04);

insert into problem (code, found_at, source, category, site_code, township_code, lon, lat, crs_source,
                     lon_source, lat_source, description, severity, lead_unit_code, deadline) values
    ('A1', timestamp '2026-10-12 08:00', '县自查', '出店经营', 'S01', '990101001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '城管局：出店经营', '一般', 'D01', timestamp '2026-10-19 08:00'),
    ('B1', timestamp '2026-10-16 08:00', '市督查', '出店经营', 'S01', '990101001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '交警大队：门前占道', '一般', 'D02', timestamp '2026-10-23 08:00'),
    ('A2', timestamp '2026-10-22 08:00', '县自查', '出店经营', 'S01', '990101001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '城管局：出店经营再现', '一般', 'D01', timestamp '2026-11-20 08:00'),
    ('C1', timestamp '2026-10-24 08:00', '省暗访', '出店经营', 'S01', '990101001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '交警大队牵头、城管局配合：占道经营', '较重', 'D02', timestamp '2026-10-31 08:00'),
    ('A3', timestamp '2026-11-01 08:00', '县自查', '出店经营', 'S01', '990101001', 117.04, 31.04, 'WGS84', 117.04, 31.04, '城管局：出店经营又现', '一般', 'D01', timestamp '2026-11-20 08:00');

insert into problem_coop_unit values ('C1', 'D01');

insert into rectify_event (problem_code, event_at, action, unit_code, note) values
    ('A1', timestamp '2026-10-12 09:00', '交办', 'D01', null),
    ('A1', timestamp '2026-10-14 09:00', '已销号', 'D03', null),
    ('B1', timestamp '2026-10-16 09:00', '交办', 'D02', null),
    ('B1', timestamp '2026-10-20 09:00', '已销号', 'D03', null),
    ('A2', timestamp '2026-10-22 09:00', '交办', 'D01', null),
    ('C1', timestamp '2026-10-24 09:00', '交办', 'D02', null),
    ('C1', timestamp '2026-10-27 09:00', '已销号', 'D03', null),
    ('A3', timestamp '2026-11-01 09:00', '交办', 'D01', null);
