-- wrk script: GET /recommendations for random MovieLens users, a quarter of them genre-filtered, read
-- with the admin key (a user's token reads only their own).
-- Usage: ADMIN_KEY=... wrk -t1 -c4 -d30s --latency -s scripts/wrk_recommendations.lua http://127.0.0.1:8000
math.randomseed(42)
local headers = {["X-Admin-Key"] = os.getenv("ADMIN_KEY") or ""}
local genres = {"", "", "", "&genres=Action", "&genres=Comedy,Romance"}
request = function()
  local path = "/recommendations?k=20&user_id=" .. math.random(1, 943) .. genres[math.random(1, #genres)]
  return wrk.format("GET", path, headers)
end
