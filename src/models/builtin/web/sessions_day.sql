-- materialized: incremental
-- partition_by: day
-- source: stg_sessions
select day, count(*) as sessions, count(*) filter (where bounce) as bounces,
       avg(duration_secs) as avg_duration_secs, avg(page_count) as pages_per_session
from stg_sessions group by day
