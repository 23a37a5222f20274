-- 问题热点页补充数据（在 tests/data/shared 的 01–03 之上，见 shared.txt）：
-- P10 坐标落在县界外（东坝镇登记，经度 118.5）、已逾期；
-- P11 东坝老街暴露垃圾：10-25 销号、7 天后（11-01）被反弹重开，已逾期。
-- 于是（N = 30 天）：P1、P2 在 P7 销号（10-05）后 27、28 天内于同一点位同一类别再次发现 → 反弹；
-- P4 在 P11 销号（10-25）后 16 天于同一点位同一类别再次发现 → 反弹；P11 自身销号后 7 天被反弹重开 → 反弹。
-- 答案见 tests/unit/test_hotspot_queries.py。
insert into problem (code, found_at, source, round_code, edition, standard_code, category, site_code,
                     township_code, community_code, lon, lat, crs_source, lon_source, lat_source,
                     description, severity, negative_item_code, lead_unit_code, deadline) values
    ('P10', timestamp '2026-11-05 10:00', '县自查', null, null, null, '暴露垃圾', null, '990101002', null, 118.5, 31.05, 'WGS84', 118.5, 31.05, '东坝镇：坐标录错（县界外）', '一般', null, 'T02', timestamp '2026-11-12 10:00'),
    ('P11', timestamp '2026-10-20 09:00', '12345热线', null, null, null, '暴露垃圾', 'S02', '990101002', null, 117.161, 31.061, 'WGS84', 117.161, 31.061, '东坝老街：垃圾堆放', '一般', null, 'D02', timestamp '2026-10-27 09:00');

insert into rectify_event (problem_code, event_at, action, unit_code, note) values
    ('P10', timestamp '2026-11-05 11:00', '交办', 'T02', null),
    ('P11', timestamp '2026-10-20 10:00', '交办', 'D02', null),
    ('P11', timestamp '2026-10-25 10:00', '已销号', 'D03', null),
    ('P11', timestamp '2026-11-01 10:00', '反弹重开', 'D03', '垃圾再次堆放');
