-- 审计记录的散列链：每条存前一条的 SHA-256（prev_sha256，第一条为 64 个 0）与本条内容的 SHA-256（row_sha256），
-- 规范的序列化见 chuangwen/statedb.py 的 row_sha256。改、删、插入、覆盖过的记录，chuangwen audit verify 重算时对不上。
-- 已有的记录在这次迁移里补算一次（statedb._chain_existing），之后每条由 statedb.record 在同一事务里算好再写
alter table audit_event add column prev_sha256 text;
alter table audit_event add column row_sha256 text;

-- 已有编号上的插入一律拒绝：insert or replace 先删旧行再插入，删除触发器（默认不递归）在这时不触发，只有这里拦得住
create trigger audit_event_no_overwrite before insert on audit_event
when exists (select 1 from audit_event where id = new.id)
begin
    select raise(abort, '审计记录只能追加，不能覆盖已有的记录');
end;
