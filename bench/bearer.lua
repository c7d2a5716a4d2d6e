-- wrk script: sends `Authorization: Bearer $ZEREN_TOKEN` with every request.
-- Used by bench/load.sh for authenticated targets (the token stays out of `ps` output).
local token = os.getenv("ZEREN_TOKEN")
if token == nil or token == "" then
  error("bearer.lua: ZEREN_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
