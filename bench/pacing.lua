-- Pacing for the wrk scripts: a `delay` function that holds a thread to RATE requests a
-- second on an open schedule (each request has its slot, whatever the latency of the one
-- before), as long as the thread has a free connection. With T threads the server is
-- offered T * RATE requests a second.
--
--   delay = dofile("bench/pacing.lua").delay(os.getenv("TIDINGS_BENCH_RATE"))
--
-- No rate (nil, "" or "0") gives no delay function: wrk then sends as fast as it can.
local pacing = {}

function pacing.delay(rate)
   rate = tonumber(rate or "0") or 0
   if rate <= 0 then return nil end
   -- A monotonic clock in milliseconds, through LuaJIT's FFI (wrk's Lua has none).
   local ffi = require("ffi")
   pcall(ffi.cdef, [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock, bench_timespec *time);
   ]])
   local time = ffi.new("bench_timespec")
   local function now_ms()
      ffi.C.clock_gettime(1, time) -- CLOCK_MONOTONIC
      return tonumber(time.tv_sec) * 1000 + tonumber(time.tv_nsec) / 1e6
   end
   local interval = 1000 / rate
   local next_send
   return function()
      local now = now_ms()
      -- After a stall of over a second, start the schedule again rather than burst.
      if next_send == nil or next_send < now - 1000 then next_send = now end
      next_send = next_send + interval
      return math.max(0, math.floor(next_send - now))
   end
end

return pacing
