-- wrk script: POSTs the pre-signed callbacks of $TIDINGS_BENCH_REQUESTS (make_requests.py),
-- each thread taking every n-th line, in order, and starting over when done (repeats are
-- then duplicates, which servers acknowledge too). At the end it prints the mix it sent:
-- how many callbacks inserted a message, updated one, or repeated one (a second pass).
--
-- $TIDINGS_BENCH_RATE, if set, paces each thread at that many requests a second, whatever
-- the server's latency (an open schedule, as long as enough connections are free): with T
-- threads the server is offered T * RATE callbacks a second.
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

-- A line's request, and its kind: "i" (a message's first callback) or "u" (a later one).
local function format(line)
   local kind, signature, body = line:match("([iu])\t([^\t]+)\t(.*)")
   return wrk.format("POST", wrk.path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = signature,
   }, body), kind
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
   requests, kinds = {}, {}
   index = 0
   sent = { i = 0, u = 0, r = 0 }
   if not streaming then
      local line_number = 0
      for line in io.lines(path) do
         if line_number % total == share then
            requests[#requests + 1], kinds[#requests + 1] = format(line)
         end
         line_number = line_number + 1
      end
   end
end

-- The next line of this thread's share and its kind, starting over at the end of the file.
local function next_streamed()
   while true do
      if lines == nil then lines, line_number = io.lines(path), 0 end
      local line = lines()
      if line == nil then
         lines, passes = nil, (passes or 0) + 1
      else
         line_number = line_number + 1
         if (line_number - 1) % total == share then
            local request, kind = format(line)
            return request, (passes or 0) > 0 and "r" or kind
         end
      end
   end
end

function request()
   local request, kind
   if streaming then
      request, kind = next_streamed()
   else
      index = index + 1
      request, kind = requests[(index - 1) % #requests + 1], index > #requests and "r" or kinds[index]
   end
   sent[kind] = sent[kind] + 1
   return request
end

function done(summary, latency, requests)
   local counts = { i = 0, u = 0, r = 0 }
   for _, thread in ipairs(threads) do
      local sent = thread:get("sent")
      for kind, count in pairs(sent) do counts[kind] = counts[kind] + count end
   end
   local all = counts.i + counts.u + counts.r
   io.write(string.format("Mix sent: %d inserts, %d updates, %d repeats (%.1f%% updates)\n",
      counts.i, counts.u, counts.r, all > 0 and 100 * counts.u / all or 0))
end

delay = dofile("bench/pacing.lua").delay(os.getenv("TIDINGS_BENCH_RATE"))
