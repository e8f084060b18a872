-- materialized: table
select visitor_key, min(ts) as first_seen, max(ts) as last_seen, count(*) as requests, count(distinct day) as active_days,
       count(distinct session_id) as sessions, bool_or(is_bot) as is_bot
from fact_requests where visitor_key is not null group by visitor_key
