# Shared by scripts/load.sh and scripts/soak.sh (sourced): a local mosquitto, an MQTT subscriber that
# stamps arrival times, the stand-in model, the daemon config, and stopping all of it. Everything
# listens on 127.0.0.1 and a free port. The caller sets $tmp and traps EXIT to call harness_stop_all.
loadtools="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
daemon_pid="" broker_pid="" sub_pid="" standin_pid="" probe_pid=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_for() {  # SECONDS WHAT CMD... : retries CMD every 0.2 s until it succeeds or SECONDS pass
  local until=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" 2>/dev/null; do
    [ "$SECONDS" -lt "$until" ] || { echo "timed out waiting for $what" >&2; return 1; }
    sleep 0.2
  done
}
port_open() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"; }

start_broker() {  # DIR -> broker_port, broker_pid; log in DIR/mosquitto.log
  local dir="$1"; broker_port="$(free_port)"
  printf 'user root\nlog_dest file %s/mosquitto.log\nlog_type error\nlog_type warning\nlog_type notice\nlog_type subscribe\nlistener %s 127.0.0.1\nallow_anonymous true\n' \
    "$dir" "$broker_port" >"$dir/mosquitto.conf"
  mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.log" 2>&1 &
  broker_pid=$!
  wait_for 30 "mosquitto on port $broker_port" port_open "$broker_port"
}

start_subscriber() {  # DIR -> sub_pid; every alert message as "ARRIVAL_UNIX_NS PAYLOAD" in DIR/mqtt.log
  local dir="$1"
  mosquitto_sub -h 127.0.0.1 -p "$broker_port" -q 1 -i load-sub -t 'streamwatch/events' -F '%U %p' >"$dir/mqtt.log" 2>"$dir/mqtt.err" &
  sub_pid=$!
  wait_for 30 "the subscriber's SUBSCRIBE" grep -q 'load-sub 1 streamwatch/events' "$dir/mosquitto.log"
}

start_standin() {  # DIR SERVICE_MS -> standin_port, standin_pid
  local dir="$1"; standin_port="$(free_port)"
  python3 "$loadtools/standin_model.py" "$standin_port" "$2" >"$dir/standin.log" 2>&1 &
  standin_pid=$!
  wait_for 30 "the model stand-in on port $standin_port" port_open "$standin_port"
}


write_config() {  # N METRICS_PORT DIR CLIP -> DIR/config.json; MQTT to the broker if one runs, model if the stand-in runs
  python3 - "$@" "${broker_port:-}" "${standin_port:-}" <<'PY'
import json, os, sys
n, port, d, clip, mqtt, model = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
os.makedirs(f"{d}/clips", exist_ok=True)
def cam(i):
    name = f"cam{i:03d}"
    link = f"{d}/clips/{name}.mp4"     # one symlink per camera: its ffmpeg is found by this path
    if not os.path.lexists(link): os.symlink(clip, link)
    rule = {"Name": "intrusion", "Type": "zone", "Zone": "path", "Severity": "warning",
            "EndAfterSeconds": 3, "CooldownSeconds": 8}   # one alert per 20 s pass; lighting steps at 12-16 s fall in the cooldown
    if model: rule |= {"Profile": "security", "RequireVerification": True}
    return {"Name": name, "Url": link, "Loop": True, "Realtime": True, "AnalysisFps": float(os.environ.get("ANALYSIS_FPS", "5")),
            "Zones": [{"Name": "path", "Polygon": "0.3,0.4 1,0.4 1,0.95 0.3,0.95"}], "Rules": [rule]}
cfg = {"Cameras": [cam(i) for i in range(1, n + 1)],
       "Output": {"StateDirectory": f"{d}/state"},
       "Mqtt": {"Enabled": bool(mqtt), "Port": int(mqtt or 1883), "ClientId": "streamwatch-load"},
       "Model": {"Backend": "openai", "OpenAi": {"BaseUrl": f"http://127.0.0.1:{model}/v1", "Model": "standin"}}
                if model else {"Backend": "none"},
       "Observability": {"Enabled": True, "Listen": f"127.0.0.1:{port}"}}
json.dump(cfg, open(f"{d}/config.json", "w"), indent=1)
PY
}

stop_daemon() {  # SIGTERM, wait; then kill any ffmpeg child the daemon left behind
  [ -n "$daemon_pid" ] || return 0
  local kids
  kids="$(awk -v p="$daemon_pid" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true)"
  kill -TERM "$daemon_pid" 2>/dev/null || true
  wait "$daemon_pid" 2>/dev/null || true
  for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
  daemon_pid=""
}

stop_pid() {  # NAME_OF_VAR: SIGTERM the process whose pid the variable holds, wait, clear it
  local p="${!1}"
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  printf -v "$1" '%s' ""
}

run_probe() {  # CMD...: runs the measuring script in the background and waits, so that a TERM reaches the trap at once
  "$@" & probe_pid=$!
  local rc=0
  wait "$probe_pid" || rc=$?
  probe_pid=""
  return "$rc"
}

harness_stop_all() { stop_pid probe_pid; stop_daemon; stop_pid sub_pid; stop_pid standin_pid; stop_pid broker_pid; }
