-- The script bpf/lua.bpf.c and examples/lua/ground_truth.c observe: one
-- collectgarbage("count") (lua_gc(L, LUA_GCCOUNT)) at a known point, inside
-- a coroutine, under a non-yieldable C boundary (string.gsub's callback),
-- a few Lua frames deep.  Runs unchanged on Lua 5.1 to 5.4.
local function leaf(a, b, c)
  local x, y = a + b, c * 2
  local kb = collectgarbage("count")
  return x + y + (kb > 0 and 1 or 0)
end

local function middle(n)
  if n == 0 then
    local r
    string.gsub("x", "x", function() r = leaf(1, 2, 3) end)
    return r
  end
  return middle(n - 1) + 0 -- not a tail call: one frame per level
end

local co = coroutine.create(function(tag)
  local r = middle(3)
  coroutine.yield(r)
  return tag
end)
local ok, v = coroutine.resume(co, "tag")
assert(ok and v == 10, "probe.lua: unexpected result " .. tostring(v))
print(v)
