#!/usr/bin/env bash
# The README's "## Quick start", followed on a fresh clone exactly as written.
#
# The commands are read from README.md, not copied here, so this fails as soon as the
# README's quick start changes and no longer works:
#
# - the prerequisites it names (Swift 6.2 or later, OpenSSL's and SQLite's headers) are checked;
# - the ```sh block with `tidings serve` (on its embedded defaults: 127.0.0.1:8080,
#   ./tidings-data, JSON lines on standard output) runs in the background, and the start-up
#   banner the README shows must be what it prints (the README's lines, in order; the real
#   banner may have more);
# - the banner's `tidings tail --server …` follows the changes meanwhile, as in a second terminal;
# - every other ```sh block runs as written, in order (`pip install …`, the signed example
#   callbacks of examples/send_status_callbacks.py);
# - the banner's `tidings status SM… --server …` shows the example's message, and the tail
#   must have printed its change to `undelivered`;
# - NOT the test command (`swift test`): .ci/run runs it already.
#
#   .ci/quickstart.sh                          # a fresh `git clone` of this repository's HEAD
#   QUICKSTART_FROM=worktree .ci/quickstart.sh # a copy of the working tree as it would be committed
#                                              # (tracked and untracked files, .gitignore applied)
#   QUICKSTART_FROM=here .ci/quickstart.sh     # this checkout itself, as .ci/run does: it is a fresh
#                                              # clone whose build the test command already made
#
# A clone builds from scratch (`swift run` in it): expect a full debug build, 15–40 minutes.
# Port 8080 on loopback must be free. Every step runs under `timeout`; the server and the
# tail are stopped, and the clone removed, on any exit (QUICKSTART_KEEP=1 keeps the clone).
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
. "$repository/.ci/lib/serve.sh"
from=${QUICKSTART_FROM:-clone}

say() { echo "quickstart: $*"; }
fail() { printf 'quickstart: FAILED: %b\n' "$*" >&2; exit 1; }

# The prerequisites the quick start names.
swift_version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)
[ -n "$swift_version" ] || fail "no swift on PATH (the quick start needs Swift 6.2 or later)"
printf '%s\n6.2\n' "$swift_version" | sort -V -C -r || fail "Swift $swift_version is older than the 6.2 the quick start needs"
compiler=$(command -v cc || command -v clang) || fail "no C compiler (cc or the Swift toolchain's clang) to look for the headers with"
for header in openssl/ssl.h sqlite3.h; do
    echo "#include <$header>" | timeout 60 "$compiler" -E -x c - > /dev/null 2>&1 \
        || fail "<$header> is missing: apt-get install libssl-dev libsqlite3-dev (the quick start's prerequisites)"
done
python3 - <<'PYTHON' || fail "something listens on 127.0.0.1:8080 already; the quick start runs on its embedded defaults, port 8080 among them"
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 8080))
PYTHON

work=$(mktemp -d)
clone="$work/tidings"
server=""
tail_pid=""
# Stops a process group this script started (setsid made each one's leader), as Ctrl-C
# would: SIGINT; SIGTERM after 20 s, SIGKILL after 10 more.
stop_group() {
    local leader=$1
    [ -n "$leader" ] || return 0
    kill -INT -- "-$leader" 2>/dev/null || return 0
    timeout 20 tail --pid="$leader" -f /dev/null && return 0
    kill -TERM -- "-$leader" 2>/dev/null || return 0
    timeout 10 tail --pid="$leader" -f /dev/null || kill -KILL -- "-$leader" 2>/dev/null || true
}
cleanup() {
    local status=$?
    stop_group "$tail_pid"
    stop_group "$server"
    if [ "$status" -ne 0 ]; then
        for log in serve.log events.jsonl tail.out tail.err steps.log; do
            [ -s "$work/$log" ] && { echo "--- $log"; tail -n 40 "$work/$log"; }
        done
    fi
    if [ -n "${QUICKSTART_KEEP:-}" ]; then say "kept $work"; else rm -rf "$work"; fi
    # In this checkout itself, leave nothing the quick start made behind.
    if [ -n "${owns_data:-}" ]; then rm -rf "$repository/tidings-data"; fi
}
trap cleanup EXIT

case "$from" in
    clone)
        say "cloning $repository (HEAD) into $clone"
        timeout 600 git clone --quiet --no-hardlinks "$repository" "$clone"
        ;;
    worktree)
        say "copying the working tree of $repository into $clone"
        mkdir -p "$clone"
        (cd "$repository" && git ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' file; do [ -e "$file" ] && printf '%s\0' "$file"; done \
            | timeout 600 tar --null -T - -cf -) | tar -C "$clone" -xf -
        ;;
    here)
        clone=$repository
        [ ! -e "$clone/tidings-data" ] || fail "$clone/tidings-data exists: the quick start's server would not start empty"
        owns_data=1
        say "following the quick start in $clone itself"
        ;;
    *) fail "QUICKSTART_FROM is clone, worktree or here, not $from" ;;
esac
cd "$clone"

# The quick start, read from the README: the server command, the other commands, the banner.
plan="$work/plan"
mkdir -p "$plan/steps"
timeout 60 python3 - README.md "$plan" <<'PYTHON' || fail "README.md's quick start is not what this check can follow (see above)"
import pathlib, re, sys
readme, plan = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.S | re.M)
if not section:
    sys.exit("README.md has no '## Quick start' section")
blocks = re.findall(r"^```(\w*)\n(.*?)^```$", section.group(1), re.S | re.M)
server, steps, banner = [], [], []
for language, body in blocks:
    if language == "sh":
        commands = [line for line in body.replace("\\\n", " ").splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if any(re.search(r"\btidings serve\b", command) for command in commands):
            server.append(commands)
        elif commands == ["swift test"]:
            print("quickstart: the test command (swift test) is not run here: .ci/run runs it")
        else:
            steps.append(body)
    elif language == "":
        banner.append(body)
    else:
        sys.exit(f"a ```{language} block in the quick start: say here how to follow it")
if len(server) != 1 or len(server[0]) != 1:
    sys.exit(f"expected one ```sh block with one `tidings serve` command, found {server}")
if len(banner) != 1 or "StatusCallback URL" not in banner[0]:
    sys.exit("expected one plain ``` block: the start-up banner with the StatusCallback URL")
if not steps:
    sys.exit("no command to send a test callback in the quick start")
(plan.parent / "readme-quick-start.md").write_text(section.group(1))
(plan / "server.sh").write_text(server[0][0] + "\n")
for number, body in enumerate(steps, 1):
    (plan / "steps" / f"{number:02}.sh").write_text(body)
(plan / "banner.txt").write_text(banner[0])
commands = {}
for line in banner[0].splitlines():
    match = re.match(r"\s*(look up a message|watch live):\s+(tidings .*?)\s*(\(.*\))?$", line)
    if match:
        commands[match.group(1)] = match.group(2)
if set(commands) != {"look up a message", "watch live"}:
    sys.exit(f"the banner shows no `tidings status` or `tidings tail` command: {commands}")
(plan / "status.sh").write_text(commands["look up a message"] + "\n")
(plan / "tail.sh").write_text(commands["watch live"] + "\n")
PYTHON

# `tidings` as the banner's commands name it. Nothing in the quick start puts it on PATH: from
# a clone it is `swift run tidings …` (which, once built, waits for no other `swift run`).
if command -v tidings > /dev/null 2>&1; then
    fail "a tidings on PATH ($(command -v tidings)) would not be this clone's; run this check without it"
fi
grep -q 'swift run tidings status' "$plan/../readme-quick-start.md" \
    || fail "the banner's commands say \`tidings …\`, which nothing puts on PATH: the quick start must say to run them as \`swift run tidings …\`"
say "running the banner's commands as the quick start says: \`swift run tidings …\`"
sed -i 's/^tidings /swift run tidings /' "$plan/status.sh" "$plan/tail.sh"

# The README's commands run with none of this machine's TIDINGS_ settings.
unset_tidings=()
while IFS= read -r name; do unset_tidings+=(-u "$name"); done < <(compgen -e | grep '^TIDINGS_' || true)
clean_env() { env "${unset_tidings[@]}" "$@"; }
# A process started in the background as `env … setsid …` leads a process group of its own
# (setsid does not fork: a background job of this shell is no group leader), which
# stop_group stops as a whole.
check_leader() {
    sleep 0.2
    [ "$(cut -d ' ' -f 5 "/proc/$1/stat" 2>/dev/null)" = "$1" ] || { kill -KILL "$1" 2>/dev/null; fail "process $1 leads no process group of its own"; }
}

say "running the server command: $(cat "$plan/server.sh")"
env "${unset_tidings[@]}" setsid timeout 3600 bash -e "$plan/server.sh" > "$work/events.jsonl" 2> "$work/serve.log" &
server=$!
check_leader "$server"
wait_for_serve "$work/serve.log" "$server" 3000 > /dev/null || fail "no banner within 50 minutes (or the server command ended)"
sleep 0.5
say "the server is up"

# The banner the README shows must be the one printed: each README line, in order, with
# whitespace collapsed and the README's example home folder standing for any folder.
timeout 30 python3 - "$plan/banner.txt" "$work/serve.log" <<'PYTHON' || fail "the start-up banner is not the one README.md shows"
import re, sys
expected = [" ".join(line.split()) for line in open(sys.argv[1]) if line.strip()]
printed = [" ".join(line.split()) for line in open(sys.argv[2])]
start = next(i for i, line in enumerate(printed) if line.startswith("Tidings is listening on"))
printed = [line for line in printed[start:] if line]
position = 0
for line in expected:
    pattern = re.escape(line).replace(re.escape("/home/you/"), "/.+/")
    found = next((i for i in range(position, len(printed)) if re.fullmatch(pattern, printed[i])), None)
    if found is None:
        sys.exit(f"README.md shows the banner line\n    {line}\nwhich the server did not print; it printed:\n    " + "\n    ".join(printed))
    for extra in printed[position:found]:
        print(f"quickstart: the banner also prints (README.md leaves it out): {extra}")
    position = found + 1
for extra in printed[position:]:
    if not extra[0].isdigit():  # the operational log (timestamps) comes after the banner
        print(f"quickstart: the banner also prints (README.md leaves it out): {extra}")
PYTHON

# Follow the changes, as in a second terminal, before anything is sent: tail shows new ones.
connections() {  # established TCP connections to port 8080 on loopback
    python3 -c '
import sys
count = 0
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(table).read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        fields = line.split()
        if fields[3] == "01" and fields[2].endswith(":1F90"):
            count += 1
print(count)'
}
before=$(connections)
say "following with: $(cat "$plan/tail.sh")"
env "${unset_tidings[@]}" setsid timeout 900 bash -e "$plan/tail.sh" > "$work/tail.out" 2> "$work/tail.err" &
tail_pid=$!
check_leader "$tail_pid"
for _ in $(seq 1 1200); do
    [ "$(connections)" -gt "$before" ] && break
    kill -0 "$tail_pid" 2> /dev/null || fail "tidings tail ended at once"
    sleep 0.1
done
[ "$(connections)" -gt "$before" ] || fail "tidings tail did not connect within 2 minutes"
sleep 1

# The other commands, as written.
for step in "$plan"/steps/*.sh; do
    say "running: $(grep -v '^\s*$' "$step" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
    clean_env timeout 900 bash -e "$step" >> "$work/steps.log" 2>&1 || fail "a quick start command failed:\n$(cat "$step")"
done
sid=$(grep -o '"sid": "SM[0-9a-f]\{32\}"' "$work/steps.log" | tail -n 1 | grep -o 'SM[0-9a-f]\{32\}') \
    || fail "the example printed no message SID"
say "the example played message $sid"

# Look the message up, as the banner says.
sed -i "s/SM…/$sid/" "$plan/status.sh"
say "looking it up: $(cat "$plan/status.sh")"
status_output=$(clean_env timeout 600 bash -e "$plan/status.sh" 2> "$work/status.err") \
    || fail "the status command failed:\n$status_output\n$(cat "$work/status.err")"
grep -q "^$sid  undelivered" <<< "$status_output" || fail "tidings status does not show $sid undelivered:\n$status_output"
grep -q "30003" <<< "$status_output" || fail "tidings status does not show error 30003:\n$status_output"
say "tidings status shows $sid undelivered, 30003"

for _ in $(seq 1 300); do
    grep -q "$sid.*undelivered" "$work/tail.out" && break
    sleep 0.1
done
grep -q "$sid.*undelivered" "$work/tail.out" || fail "tidings tail did not print the change to undelivered"
say "tidings tail printed: $(grep "$sid.*undelivered" "$work/tail.out" | head -n 1)"
stop_group "$tail_pid"
tail_pid=""

# What the server wrote on standard output: the log sink's JSON lines, one per change.
lines=$(grep -c "\"sid\":\"$sid\"" "$work/events.jsonl" || true)
[ "$lines" -eq 3 ] || fail "expected 3 JSON lines for $sid on the server's standard output, found $lines"
timeout 30 python3 -c 'import json, sys; [json.loads(line) for line in open(sys.argv[1])]' "$work/events.jsonl" \
    || fail "the server's standard output is not JSON lines"
stop_group "$server"
server=""
python3 -c 'import socket; socket.socket().bind(("127.0.0.1", 8080))' 2> /dev/null \
    || fail "the server still listens on 8080 after Ctrl-C (SIGINT)"
say "passed (not run: the test command, swift test, which .ci/run runs)"
