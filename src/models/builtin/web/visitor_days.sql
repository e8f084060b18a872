-- materialized: incremental
-- partition_by: day
-- source: stg_requests
select distinct day, visitor_key, is_bot from stg_requests where visitor_key is not null
