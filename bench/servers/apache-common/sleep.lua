-- GET /sleep?ms=N for Apache (mod_lua): block this thread/process N ms
-- (r.usleep, a plain function taking microseconds: this mod_lua has no r:sleep),
-- then answer "slept N", as gale's /sleep does without blocking.
function handle(r)
    local args = r:parseargs()
    local ms = tonumber(args["ms"] or "0") or 0
    if ms < 0 then ms = 0 end
    if ms > 60000 then ms = 60000 end
    r.content_type = "text/plain; charset=utf-8"
    r.usleep(ms * 1000)
    r:puts("slept " .. tostring(math.floor(ms)))
    return apache2.OK
end
