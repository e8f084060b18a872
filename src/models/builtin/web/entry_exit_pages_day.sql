-- materialized: incremental
-- partition_by: day
-- source: stg_sessions
select day, 'entry' as kind, entry_page as page, count(*) as sessions from stg_sessions where entry_page is not null group by day, entry_page
union all
select day, 'exit' as kind, exit_page as page, count(*) as sessions from stg_sessions where exit_page is not null group by day, exit_page
