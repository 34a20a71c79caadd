-- wrk script: POSTs the pre-signed callbacks of $TIDINGS_BENCH_REQUESTS (make_requests.py),
-- each thread taking every n-th line, in order, and starting over when done (repeats are
-- then duplicates, which servers acknowledge too).
--
-- $TIDINGS_BENCH_RATE, if set, paces each thread at that many requests a second, whatever
-- the server's latency (an open schedule, as long as enough connections are free): with T
-- threads the server is offered T * RATE callbacks a second.
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local function format(line)
   local signature, body = line:match("([^\t]+)\t(.*)")
   return wrk.format("POST", wrk.path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signature,
   }, body)
end

function init(args)
   -- Lines are dealt out over TIDINGS_BENCH_SHARES shares; this thread takes share
   -- TIDINGS_BENCH_FIRST_SHARE + its id (so two wrk processes can split one file).
   total = tonumber(os.getenv("TIDINGS_BENCH_SHARES") or "2")
   share = tonumber(os.getenv("TIDINGS_BENCH_FIRST_SHARE") or "0") + id
   path = os.getenv("TIDINGS_BENCH_REQUESTS")
   -- TIDINGS_BENCH_STREAM=1 reads the file as it goes instead of holding it (for a file
   -- too big for memory, as the soak's), at some cost in wrk's own CPU.
   streaming = os.getenv("TIDINGS_BENCH_STREAM") == "1"
   requests = {}
   index = 0
   if not streaming then
      local line_number = 0
      for line in io.lines(path) do
         if line_number % total == share then requests[#requests + 1] = format(line) end
         line_number = line_number + 1
      end
   end
end

-- The next line of this thread's share, starting over at the end of the file.
local function next_streamed()
   while true do
      if lines == nil then lines, line_number = io.lines(path), 0 end
      local line = lines()
      if line == nil then
         lines = nil
      else
         line_number = line_number + 1
         if (line_number - 1) % total == share then return format(line) end
      end
   end
end

function request()
   if streaming then return next_streamed() end
   index = index % #requests + 1
   return requests[index]
end

delay = dofile("bench/pacing.lua").delay(os.getenv("TIDINGS_BENCH_RATE"))
