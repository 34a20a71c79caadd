-- Pacing for the wrk scripts, and a start gate.
--
-- The gate: wrk runs each thread's init() in its main thread, one after the other, and
-- starts each thread as soon as its init is done, but counts the test's duration from
-- after the last one. A thread whose init finished early would send for longer than the
-- duration and inflate Requests/sec (by 10 % with 64 connections and a big request file).
-- So no thread sends before every thread of the process is ready: the last init creates
-- the file $TIDINGS_BENCH_GATE, and until it exists each thread waits.
--
-- The pace: with a RATE, each thread sends RATE requests a second on an open schedule
-- (each request has its slot, whatever the latency of the one before), as long as it has a
-- free connection. With T threads the server is offered T * RATE requests a second.
--
--   function init(args) ... ; dofile("bench/pacing.lua").open_gate_after(id) end
--   delay = dofile("bench/pacing.lua").gated_delay(os.getenv("TIDINGS_BENCH_RATE"))
--
-- Settings: TIDINGS_BENCH_GATE (a path that does not exist yet; no gate when unset),
-- TIDINGS_BENCH_THREADS (wrk's -t, default 2).
local pacing = {}
local ffi = require("ffi")
pcall(ffi.cdef, [[
   typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
   int clock_gettime(int clock, bench_timespec *time);
   int usleep(unsigned int microseconds);
]])

local function ffi_sleep_ms(milliseconds)
   ffi.C.usleep(milliseconds * 1000)
end

-- Called at the end of thread `id`'s init: the last thread opens the gate.
function pacing.open_gate_after(id)
   local gate = os.getenv("TIDINGS_BENCH_GATE")
   local threads = tonumber(os.getenv("TIDINGS_BENCH_THREADS") or "2")
   if gate and id == threads - 1 then io.open(gate, "w"):close() end
end

-- wrk's delay(): the first call blocks the thread until the gate opens (nothing is in
-- flight yet: wrk asks for a delay before a connection's first request, and a delay only
-- postpones a request, never drops it); then paced at `rate`, or no wait at all.
function pacing.gated_delay(rate)
   local gate = os.getenv("TIDINGS_BENCH_GATE")
   local paced = pacing.delay(rate)
   local open = gate == nil
   return function()
      while not open do
         local file = io.open(gate)
         if file then
            file:close()
            open = true
         else
            ffi_sleep_ms(1)
         end
      end
      return paced and paced() or 0
   end
end

function pacing.delay(rate)
   rate = tonumber(rate or "0") or 0
   if rate <= 0 then return nil end
   -- A monotonic clock in milliseconds, through LuaJIT's FFI (wrk's Lua has none).
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
