-- A private message, published only if its recipient has a connection on a live server:
-- {"dm":{"from":"ada","to":"bob","message":"<the dm, encoded>"}}
-- ARGV: prefix, from, to, the dm's JSON. Returns 1 if published, 0 if the recipient is away.
for _, id in ipairs(redis.call('SMEMBERS', key('user', ARGV[3]))) do
  if alive(nodeOf(id)) then
    redis.call('PUBLISH', key('events'),
        cjson.encode({dm = {from = ARGV[2], to = ARGV[3], message = ARGV[4]}}))
    return 1
  end
end
return 0
