-- The next number of a room: INCR on KEYS[1], but never at or below ARGV[1], what the asking node
-- has already seen. After an outage, when nodes numbered on their own, the shared counter jumps
-- past the highest of them.
local n = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if n <= floor then
  n = floor + 1
  redis.call('SET', KEYS[1], n)
end
return n
