-- materialized: dimension
-- unique_key: user_agent_key
-- referenced_by: fact_requests
select distinct md5(concat_ws('|', coalesce(ua_browser, ''), coalesce(ua_browser_version, ''), coalesce(ua_os, ''), coalesce(ua_device_type, ''), coalesce(bot_name, ''), coalesce(cast(is_bot as varchar), ''))) as user_agent_key,
       ua_browser, ua_browser_version, ua_os, ua_device_type, is_bot, bot_name
from stg_requests
