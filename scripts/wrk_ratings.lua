-- wrk script: POST /ratings as one signed-in user (token in the TOKEN and USER environment variables).
-- Usage: TOKEN=... USER_ID=1 wrk -t1 -c1 -d20s --latency -s scripts/wrk_ratings.lua http://127.0.0.1:8000
math.randomseed(7)
local token, user = os.getenv("TOKEN"), os.getenv("USER_ID")
request = function()
  local body = string.format('{"user_id": %s, "movie_id": %d, "rating": %.1f}', user, math.random(1, 1682), math.random(1, 10) / 2)
  return wrk.format("POST", "/ratings", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
