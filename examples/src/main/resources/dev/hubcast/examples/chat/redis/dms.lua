-- The private messages kept for a user: every list of its conversations, each oldest first.
-- ARGV: prefix, user. Returns the dms, encoded; lists that have expired are forgotten.
local peers = key('peers', ARGV[2])
local out = {}
for _, conversation in ipairs(redis.call('SMEMBERS', peers)) do
  local kept = redis.call('LRANGE', conversation, 0, -1)
  if #kept == 0 then redis.call('SREM', peers, conversation) end
  for _, dm in ipairs(kept) do out[#out + 1] = dm end
end
return out
