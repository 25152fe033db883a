#!/bin/sh
# The reference topology on one machine, for trying it and for the cluster tests:
#   nginx (Debian's nginx-light, the reference site in plain HTTP) in front of
#   3 app servers (granian, manage.py serve --no-workers) on 127.0.0.1:18701-18703,
#   2 job runners and 2 SMS senders, each started again when it dies,
#   PostgreSQL primary (5434) with a streaming replica (5433) by deploy/cluster/postgres.sh,
#   Redis (db 7 of the local server) for the cache and the sessions,
#   one shared folder for uploaded photos.
# It runs the demo settings (demo logins and cards, SMS to the log), so it is not a production
# deployment: docs/deployment.md describes that, with the same parts on several machines.
#
#   deploy/cluster/cluster.sh start | stop
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
STATE=${OKRYU_CLUSTER_DIR:-$ROOT/var/cluster}
RUN=$STATE/run
NGINX_PORT=${OKRYU_CLUSTER_PORT:-18700}
APP_PORTS=${OKRYU_CLUSTER_APP_PORTS:-"18701 18702 18703"}
DATABASE=okryu_cluster_site
PYTHON=$ROOT/.venv/bin/python

# OKRYU_CLUSTER_SETTINGS=tests.cluster.settings lifts the limits per person for the load tests.
# A process started again later (start-app, start-worker) runs the settings the cluster started
# with.
if [ -z "${OKRYU_CLUSTER_SETTINGS:-}" ] && [ "${1:-start}" != start ] && [ -f "$RUN/settings" ]; then
    OKRYU_CLUSTER_SETTINGS=$(cat "$RUN/settings")
fi
export DJANGO_SETTINGS_MODULE=${OKRYU_CLUSTER_SETTINGS:-config.settings.demo}
export DATABASE_URL="postgres://postgres@127.0.0.1:${OKRYU_PRIMARY_PORT:-5434}/$DATABASE"
export DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:${OKRYU_REPLICA_PORT:-5433}/$DATABASE"
export REDIS_URL=${OKRYU_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/7}
# The demo's secrets are made once in this folder and shared by every process.
export OKRYU_VAR_DIR=$STATE/state
export OKRYU_MEDIA_ROOT=$STATE/media
export OKRYU_STATIC_ROOT=$STATE/static
export OKRYU_TRUSTED_PROXY_HOPS=1
export ALLOWED_HOSTS="127.0.0.1,localhost"

install_if_missing() {  # command package
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$1" ]; then
        echo "installing $2 (Debian package)"
        apt-get install -y -q "$2" >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q "$2"; }
    fi
}

started() {  # name pidfile command...
    name=$1; pidfile=$2; shift 2
    setsid "$@" >"$RUN/$name.log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
}

supervised() {  # name command...
    # Started again 2 s after it exits or dies, as systemd's Restart=always does with the
    # okryu-jobs and okryu-sms units; the loop and the worker share one process group, so
    # stopping the group stops both.
    name=$1; shift
    started "$name" "$RUN/$name.pid" sh -c \
        'while :; do "$@"; echo "exited with $?; starting again in 2 s"; sleep 2; done' "$name" "$@"
}

stop_pidfile() {  # pidfile [signal]
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    # Each process leads its own session (setsid): the signal reaches its children too.
    kill -"${2:-TERM}" "-$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "-$pid" 2>/dev/null || true
    rm -f "$1"
}

wait_for_port() {  # port log
    for _ in $(seq 1 300); do
        if "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    echo "nothing answered on port $1; see $2" >&2
    return 1
}

nginx_site() {
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    servers=""
    for port in $APP_PORTS; do servers="$servers    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;\n"; done
    # The reference site, in plain HTTP on loopback: the TLS server's body, without TLS.
    "$PYTHON" - "$ROOT/deploy/nginx/okryu.conf" "$STATE/nginx/okryu.conf" "$NGINX_PORT" "$servers" "$ROOT" "$STATE" <<'PY'
import re, sys
source, target, port, servers, root, state = sys.argv[1:]
text = open(source).read()
text = re.sub(r"upstream okryu_app \{.*?\}", "upstream okryu_app {\n" + servers.replace("\\n", "\n") + "    keepalive 16;\n}", text, flags=re.S)
# Drop the plain-HTTP redirect server, keep the main one on a loopback port without TLS.
redirect = text.index("# Plain HTTP only redirects")
main = text.index("server {", text.index("server {", redirect) + 1)
text = text[:redirect] + text[main:]
text = re.sub(r"    listen \[::\]:443 ssl http2;\n", "", text)
text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
text = re.sub(r"    ssl_[a-z_]+ [^\n]*;\n", "", text)
text = text.replace("/opt/okryu/staticfiles/", f"{state}/static/").replace("/var/lib/okryu/media/", f"{state}/media/").replace("/var/lib/okryu/nginx-cache", f"{state}/nginx/cache")
open(target, "w").write(text)
PY
    cat > "$STATE/nginx/nginx.conf" <<CONF
user root;
pid $STATE/nginx/nginx.pid;
error_log $STATE/nginx/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    # Buffered: a flood's thousands of lines a second are written in large blocks.
    access_log $STATE/nginx/access.log combined buffer=64k flush=1s;
    client_body_temp_path $STATE/nginx/body;
    proxy_temp_path $STATE/nginx/proxy;
    include $STATE/nginx/okryu.conf;
}
CONF
    "$nginx" -t -q -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/nginx/error.log"
    if [ "${1:-}" = reload ]; then
        "$nginx" -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/nginx/error.log" -s reload
        return
    fi
    started nginx "$RUN/nginx.pid" "$nginx" -p "$STATE/nginx" -c "$STATE/nginx/nginx.conf" -e "$STATE/nginx/error.log" -g "daemon off;"
}

start() {
    install_if_missing nginx nginx-light
    install_if_missing redis-server redis-server
    # The database outlives this folder (it lives in the PostgreSQL clusters): when the folder
    # holding the demo's secrets is new, a database left by another checkout has PINs peppered
    # with other secrets, so it is made again from scratch.
    fresh_state=0
    [ -n "$(ls -A "$STATE/state" 2>/dev/null)" ] || fresh_state=1
    mkdir -p "$RUN" "$STATE/state" "$STATE/media" "$STATE/static" "$STATE/nginx"
    echo "$DJANGO_SETTINGS_MODULE" > "$RUN/settings"
    # A Redis already running (shared with others) is used as it is, in its own db number; one
    # started here is stopped with the cluster.
    if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
        redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
            --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log"
    fi
    sh deploy/cluster/postgres.sh start
    if [ "$fresh_state" = 1 ]; then
        psql -h 127.0.0.1 -p "${OKRYU_PRIMARY_PORT:-5434}" -U postgres -qc \
            "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)"
        # And what the cache kept of it: Okryu's keys in the cluster's own Redis db only.
        redis-cli -u "$REDIS_URL" --scan --pattern 'okryu:*' | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null
    fi
    psql -h 127.0.0.1 -p "${OKRYU_PRIMARY_PORT:-5434}" -U postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1 || \
        psql -h 127.0.0.1 -p "${OKRYU_PRIMARY_PORT:-5434}" -U postgres -qc "CREATE DATABASE $DATABASE"
    "$PYTHON" manage.py migrate --no-input -v 0
    "$PYTHON" manage.py collectstatic --no-input -v 0
    # The cluster's tests (OKRYU_CLUSTER_SETTINGS) need no order history: it would only
    # lengthen their start by the demo's simulated fortnight.
    "$PYTHON" manage.py load_demo_data --skip-in-production ${OKRYU_CLUSTER_SETTINGS:+--no-history}
    for port in $APP_PORTS; do
        started "app-$port" "$RUN/app-$port.pid" "$PYTHON" manage.py serve --no-workers --workers 1 --port "$port"
    done
    for index in 1 2; do
        supervised "jobs-$index" "$PYTHON" manage.py run_jobs
        supervised "sms-$index" "$PYTHON" manage.py send_sms
    done
    for port in $APP_PORTS; do wait_for_port "$port" "$RUN/app-$port.log"; done
    nginx_site
    wait_for_port "$NGINX_PORT" "$RUN/nginx.log"
    echo "옥류 Okryu cluster: http://127.0.0.1:$NGINX_PORT/  (nginx, app servers on $APP_PORTS," \
        "PostgreSQL ${OKRYU_PRIMARY_PORT:-5434} + replica ${OKRYU_REPLICA_PORT:-5433}, Redis $REDIS_URL;" \
        "stop with make cluster-stop)"
}

stop() {
    # nginx first (it stops taking requests), then the app servers, which finish the requests
    # they have on SIGTERM (granian), then the workers.
    stop_pidfile "$RUN/nginx.pid" QUIT
    for pidfile in "$RUN"/app-*.pid "$RUN"/jobs-*.pid "$RUN"/sms-*.pid; do
        [ -e "$pidfile" ] && stop_pidfile "$pidfile"
    done
    if [ -f "$RUN/redis.pid" ]; then
        pid=$(cat "$RUN/redis.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        rm -f "$RUN/redis.pid"
    fi
    sh deploy/cluster/postgres.sh stop
    echo "Okryu cluster stopped"
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
# nginx balances over OKRYU_CLUSTER_APP_PORTS again (the benchmark's 1, 2, 3 app servers).
reload-nginx) nginx_site reload ;;
# Start again one app server (by its port) or one worker (jobs-1, sms-2, ...) that was killed.
start-app)
    started "app-$2" "$RUN/app-$2.pid" "$PYTHON" manage.py serve --no-workers --workers 1 --port "$2"
    wait_for_port "$2" "$RUN/app-$2.log" ;;
start-worker)
    case "$2" in jobs-*) command=run_jobs ;; sms-*) command=send_sms ;; *) exit 2 ;; esac
    supervised "$2" "$PYTHON" manage.py "$command" ;;
*) echo "usage: $0 start|stop|reload-nginx|start-app PORT|start-worker NAME" >&2; exit 2 ;;
esac
