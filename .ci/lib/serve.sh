# What the CI scripts share to run a `tidings serve` (or another server) in the background.
# Source it from the repository's root: `. .ci/lib/serve.sh`.

# free_port: prints a loopback TCP port nothing listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE TEXT SECONDS PID: returns once FILE holds TEXT; fails (status 1) when the
# process PID ends first, or after SECONDS.
wait_for() {
    local i
    for i in $(seq 1 $(($3 * 10))); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# wait_for_serve LOG PID [SECONDS]: waits (60 s unless told) for the start-up banner that
# `tidings serve`, running as PID, writes to LOG (its standard error), and prints the port
# it listens on. Fails, with the log on standard error, when the server does not start.
wait_for_serve() {
    if ! wait_for "$1" "StatusCallback URL" "${3:-60}" "$2"; then
        echo "tidings serve did not start:" >&2
        cat "$1" >&2
        return 1
    fi
    sed -n 's/^Tidings is listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$1" | head -n 1
}
