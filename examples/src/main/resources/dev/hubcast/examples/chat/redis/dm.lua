-- A private message, published to every server:
-- {"dm":{"from":"ada","to":"bob","message":"<the dm, encoded>"}}
-- and then kept in the pair's list <prefix>:dms:<a> <b> (a <= b), its last N, which expires ttl
-- ms after the pair's last message; each user's set <prefix>:peers:<user> names its lists.
-- Whether the recipient is online is the hub's presence: the server asks it before this runs.
-- ARGV: prefix, from, to, the dm's JSON, N, ttl (ms). Returns 1.
local from, to, n, ttl = ARGV[2], ARGV[3], tonumber(ARGV[5]), ARGV[6]
redis.call('PUBLISH', key('events'), cjson.encode({dm = {from = from, to = to, message = ARGV[4]}}))
local a, b = from, to
if b < a then a, b = b, a end
local conversation = key('dms', a .. ' ' .. b)
redis.call('RPUSH', conversation, ARGV[4])
redis.call('LTRIM', conversation, -n, -1)
redis.call('PEXPIRE', conversation, ttl)
for _, user in ipairs({from, to}) do
  redis.call('SADD', key('peers', user), conversation)
  redis.call('PEXPIRE', key('peers', user), ttl)
end
return 1
