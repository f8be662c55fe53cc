#!/usr/bin/env bash
# Local Apache Kafka (KRaft, combined broker+controller) built from Maven Central jars.
#   scripts/kafka.sh start [--nodes 1|3]   provision (once), format (once), start, wait until ready
#   scripts/kafka.sh stop  [--nodes 1|3]   stop cleanly (SIGTERM, then wait)
#   scripts/kafka.sh status [--nodes 1|3]
#   scripts/kafka.sh kill|restart --node N --nodes 3   (fault injection on one broker)
#   scripts/kafka.sh pause|resume [--nodes 1|3] [--node N]   SIGSTOP / SIGCONT (a hung broker)
#   scripts/kafka.sh wipe  [--nodes 1|3]   stop and delete the data
# Every command also takes --name NAME --base-port P: a cluster of its own, its data in
# kafka-data/NAME and its brokers on P, P+2, P+4 (controllers P+1, P+3, P+5), so that two runs
# (a fault harness, a benchmark, the test suite) on one machine never share or wipe a broker.
# Idempotent: the jars are cached in $SMSGW_CACHE_DIR (default ~/.cache/smsgw), and a broker
# that already answers is reused.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMSGW_CACHE_DIR:-$HOME/.cache/smsgw}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
libs="$cache/kafka-$version/libs"
cmd=${1:-start}; shift || true
nodes=1; only=""; reused=""; name=""; base_port=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2;;
    --node) only=$2; shift 2;;
    --name) name=$2; shift 2;;
    --base-port) base_port=$2; shift 2;;
    *) echo "kafka.sh: unknown option $1" >&2; exit 2;;
  esac
done
case "$nodes" in 1|3) ;; *) echo "kafka.sh: --nodes must be 1 or 3, got $nodes" >&2; exit 2;; esac
case "$name" in ''|*[!A-Za-z0-9_.-]*) [ -z "$name" ] || { echo "kafka.sh: --name takes letters, digits, _ . - only, got $name" >&2; exit 2; };; esac
case "$base_port" in '') ;; *[!0-9]*) echo "kafka.sh: --base-port must be a port number, got $base_port" >&2; exit 2;; esac
if [ -n "$base_port" ] && { [ "$base_port" -lt 1024 ] || [ "$base_port" -gt 65530 ]; }; then
  echo "kafka.sh: --base-port must be within 1024-65530, got $base_port" >&2; exit 2
fi
if [ -n "$name" ] && [ -z "$base_port" ]; then echo "kafka.sh: --name needs --base-port" >&2; exit 2; fi

if [ -n "$base_port" ]; then
  datadir="$cache/kafka-data/${name:-port-$base_port}"; base_broker=$base_port; base_ctrl=$((base_port + 1)); step=2
elif [ "$nodes" = 1 ]; then
  datadir="$cache/kafka-data/single"; base_broker=9092; base_ctrl=9093; step=0
else
  datadir="$cache/kafka-data/trio"; base_broker=19092; base_ctrl=19192; step=2
fi
broker_port() { echo $((base_broker + ($1 - 1) * step)); }
ctrl_port() { echo $((base_ctrl + ($1 - 1) * step)); }
ids() { if [ -n "$only" ]; then echo "$only"; else seq 1 "$nodes"; fi; }

log() { echo "[kafka] $*" >&2; }

provision() {
  if [ -f "$libs/.complete" ]; then return; fi
  log "collecting Kafka $version jars from Maven Central into $libs"
  mkdir -p "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

voters() {
  local v="" i
  for i in $(seq 1 "$nodes"); do v="$v${v:+,}$i@127.0.0.1:$(ctrl_port "$i")"; done
  echo "$v"
}

write_config() {
  local i=$1 dir="$datadir/node$i" rf=1 isr=1
  [ "$nodes" = 3 ] && { rf=3; isr=2; }
  mkdir -p "$dir/logs"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$(broker_port "$i"),CONTROLLER://127.0.0.1:$(ctrl_port "$i")
advertised.listeners=PLAINTEXT://127.0.0.1:$(broker_port "$i")
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=12
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=67108864
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
PROPS
}

run_java() {
  local dir="$datadir/node$1"; shift
  java -Xms256m -Xmx"${KAFKA_HEAP:-768m}" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$libs/*" "$@"
}

format_storage() {
  local i=$1 dir="$datadir/node$i"
  [ -f "$dir/data/meta.properties" ] && return
  [ -f "$datadir/cluster-id" ] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$datadir/cluster-id"
  run_java "$i" kafka.tools.StorageTool format -t "$(cat "$datadir/cluster-id")" \
    -c "$dir/server.properties" --ignore-formatted >/dev/null
}

pid_of() { local f="$datadir/node$1/kafka.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

start_node() {
  local i=$1 dir="$datadir/node$i" port
  port=$(broker_port "$i")
  if answers "$port"; then log "node $i already answers on 127.0.0.1:$port"; reused="$reused $i"; return; fi
  write_config "$i"
  format_storage "$i"
  # setsid: the broker outlives the shell that started it (npm start, CI step) and gets no
  # terminal signals meant for it.
  setsid nohup java -Xms256m -Xmx"${KAFKA_HEAP:-768m}" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$libs/*" \
    kafka.Kafka "$dir/server.properties" > "$dir/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$dir/kafka.pid"
  log "node $i starting (pid $!, 127.0.0.1:$port, data $dir)"
}

wait_ready() {
  local i=$1 dir="$datadir/node$i" deadline=$((SECONDS + 120))
  # A broker that already answered is ready; its log may have rolled past the start line.
  case " $reused " in *" $i "*) return;; esac
  until grep -q "Kafka Server started" "$dir/logs/server.log" 2>/dev/null && answers "$(broker_port "$i")"; do
    if [ -z "$(pid_of "$i")" ] && ! answers "$(broker_port "$i")"; then
      log "node $i exited; last lines of its log:"; tail -20 "$dir/logs/stdout.log" "$dir/logs/server.log" >&2 2>/dev/null || true
      exit 1
    fi
    [ $SECONDS -lt $deadline ] || { log "node $i not ready after 120 s"; exit 1; }
    sleep 0.5
  done
}

signal_node() {
  local pid
  pid=$(pid_of "$1") || return 0
  kill -"$2" "$pid" 2>/dev/null || true
}

wait_stopped() {
  local i=$1 pid deadline killed=0
  pid=$(pid_of "$i") || { rm -f "$datadir/node$i/kafka.pid"; return 0; }
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ] && [ $killed = 0 ]; then
      log "node $i did not stop in 60 s, killing"; kill -9 "$pid" 2>/dev/null || true; killed=1
    fi
    sleep 0.3
  done
  rm -f "$datadir/node$i/kafka.pid"
  log "node $i stopped"
}

# All nodes get the signal at once: a KRaft node stopping last would otherwise wait for a
# controller quorum that is already gone.
stop_nodes() {
  local sig=$1 i
  for i in $(ids); do signal_node "$i" "$sig"; done
  for i in $(ids); do wait_stopped "$i"; done
}

bootstrap() {
  local b="" i
  for i in $(seq 1 "$nodes"); do b="$b${b:+,}127.0.0.1:$(broker_port "$i")"; done
  echo "$b"
}

case "$cmd" in
  start|restart)
    provision
    mkdir -p "$datadir"
    for i in $(ids); do start_node "$i"; done
    for i in $(ids); do wait_ready "$i"; done
    log "ready: $(bootstrap)"
    bootstrap;;
  stop) stop_nodes TERM;;
  kill) stop_nodes KILL;;
  # A broker that hangs rather than dies (SIGSTOP / SIGCONT): exits 1 when no local broker runs.
  pause|resume)
    sig=STOP; [ "$cmd" = resume ] && sig=CONT
    found=0
    for i in $(ids); do pid=$(pid_of "$i") && { kill -"$sig" "$pid"; found=1; }; done
    [ "$found" = 1 ] || { echo "kafka.sh $cmd: no local broker runs" >&2; exit 1; };;
  status)
    for i in $(ids); do
      if answers "$(broker_port "$i")"; then echo "node $i up 127.0.0.1:$(broker_port "$i")"; else echo "node $i down"; fi
    done;;
  bootstrap) bootstrap;;
  provision) provision;;
  wipe) stop_nodes TERM; rm -rf "$datadir";;
  *) echo "usage: kafka.sh start|stop|status|kill|pause|resume|restart|wipe|bootstrap [--nodes 1|3] [--node N] [--name NAME --base-port P]" >&2; exit 2;;
esac
