-- A server that stops: its connections leave at once.
-- ARGV: prefix, node.
local node = ARGV[2]
redis.call('DEL', key('node', node))
st.alive[node] = false
forgetNode(node)
redis.call('SREM', key('nodes'), node)
publish(false)
return 1
