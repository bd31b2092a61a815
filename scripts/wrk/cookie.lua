-- wrk script: GETs the URL as the sessions in FILE (`cookie<TAB>csrf` lines), taking turns.
-- Arguments (after --): FILE THREADS
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local i, nthreads = 0, tonumber(args[2])
  requests = {}
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      table.insert(requests, wrk.format("GET", nil, { ["Cookie"] = line:match("^([^\t]+)") }))
    end
    i = i + 1
  end
  sent = 0
end

function request()
  sent = sent + 1
  return requests[(sent % #requests) + 1]
end
