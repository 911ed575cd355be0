-- A server's heartbeat: keeps it alive and forgets servers that are not.
-- ARGV: prefix, node, ttl (ms). Returns 1 if the server's liveness key was still there, else 0.
local existed = live(ARGV[2], ARGV[3])
sweep()
publish(false)
return existed
