-- materialized: incremental
-- partition_by: day
-- source: stg_security_events
select day, client_id, kind, rule, (array_agg(severity order by score desc, severity))[1] as severity, count(*) as events, min(ts) as first_seen, max(ts) as last_seen
from stg_security_events group by day, client_id, kind, rule
