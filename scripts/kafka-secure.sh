#!/usr/bin/env bash
# A local Kafka broker with its client listeners secured, to try (and test) kafka.ssl and
# kafka.sasl: one KRaft node (broker+controller) from the jars scripts/kafka.sh provisions.
#   scripts/kafka-secure.sh start    certificates and credentials (once), format (once), start, wait until ready
#   scripts/kafka-secure.sh stop     stop cleanly (SIGTERM, then wait)
#   scripts/kafka-secure.sh status | info | wipe
# Listeners, all on 127.0.0.1:
#   9392  SSL             TLS; clients check the broker against ca.pem
#   9393  SASL_PLAINTEXT  SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN, user gw
#   9395  SSL             TLS with client certificates required (client.pem, client.key)
#   9394  the controller (plain; it serves no client requests)
# Data, certificates and credentials live in $SMSGW_CACHE_DIR/kafka-data/secure (default
# ~/.cache/smsgw): a CA made with openssl (ca.pem), the broker's certificate for 127.0.0.1 and
# localhost, a client certificate, and the SASL password of user gw (sasl-password, mode 600),
# made at the first start. `start` and `info` end with one JSON line naming them, for
# configurations and specs. The plain broker of scripts/kafka.sh (9092, kafka-data/single) is
# never touched.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMSGW_CACHE_DIR:-$HOME/.cache/smsgw}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
libs="$cache/kafka-$version/libs"
datadir="$cache/kafka-data/secure"
tlsdir="$datadir/tls"
ssl_port=9392; sasl_port=9393; ctrl_port=9394; mtls_port=9395
user=gw
cmd=${1:-start}
[ $# -gt 1 ] && { echo "kafka-secure.sh: unexpected argument $2" >&2; exit 2; }

log() { echo "[kafka-secure] $*" >&2; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_of() { local f="$datadir/kafka.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

# A CA, a broker certificate (server and client use: the broker connects to itself over SSL)
# and a client certificate for the listener that requires one. Made again when any is missing
# or expires within a day.
certificates() {
  local f
  for f in ca.pem broker.pem client.pem; do
    if [ ! -f "$tlsdir/$f" ] || ! openssl x509 -checkend 86400 -noout -in "$tlsdir/$f" >/dev/null 2>&1; then
      make_certificates; return
    fi
  done
}

make_certificates() {
  log "making a CA and certificates in $tlsdir"
  rm -rf "$tlsdir"; mkdir -p "$tlsdir"; chmod 700 "$tlsdir"
  (
    cd "$tlsdir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=smsgw local test CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.pem 2>/dev/null
    sign() { # name subject extensions
      openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
      printf '%s\n' "$3" > "$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    sign broker "/CN=127.0.0.1" $'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth'
    sign client "/CN=$user" 'extendedKeyUsage=clientAuth'
    chmod 600 ./*.key
  )
}

# A PEM file as an inline properties value: one line per PEM line, continued with " \".
inline_pem() { sed -e 's/$/ \\/' -e '$ s/ \\$//' "$1"; }

write_config() {
  local password=$1
  mkdir -p "$datadir/logs"
  ( umask 077
  cat > "$datadir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl_port
listeners=SSL://127.0.0.1:$ssl_port,SASL_PLAINTEXT://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port,CONTROLLER://127.0.0.1:$ctrl_port
advertised.listeners=SSL://127.0.0.1:$ssl_port,SASL_PLAINTEXT://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,MTLS:SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SSL
ssl.keystore.type=PEM
ssl.keystore.certificate.chain=$(inline_pem "$tlsdir/broker.pem")
ssl.keystore.key=$(inline_pem "$tlsdir/broker.key")
ssl.truststore.type=PEM
ssl.truststore.location=$tlsdir/ca.pem
ssl.client.auth=none
listener.name.mtls.ssl.client.auth=required
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$user="$password";
log.dirs=$datadir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=67108864
PROPS
  )
  cat > "$datadir/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$datadir/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
PROPS
}

password() {
  local f="$datadir/sasl-password"
  if [ ! -s "$f" ]; then
    ( umask 077; openssl rand -hex 16 > "$f" )
  fi
  cat "$f"
}

# SCRAM credentials of a KRaft cluster live in its metadata: written at format time.
format_storage() {
  local password=$1
  [ -f "$datadir/data/meta.properties" ] && return
  [ -f "$datadir/cluster-id" ] || java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$datadir/cluster-id"
  java -Dlog4j.configuration="file:$datadir/log4j.properties" -cp "$libs/*" kafka.tools.StorageTool format \
    -t "$(cat "$datadir/cluster-id")" -c "$datadir/server.properties" --ignore-formatted \
    --add-scram "SCRAM-SHA-256=[name=$user,password=$password]" \
    --add-scram "SCRAM-SHA-512=[name=$user,password=$password]" >/dev/null
}

info() {
  printf '{"ssl":"127.0.0.1:%s","sasl":"127.0.0.1:%s","mtls":"127.0.0.1:%s","ca":"%s","clientCert":"%s","clientKey":"%s","username":"%s","passwordFile":"%s"}\n' \
    "$ssl_port" "$sasl_port" "$mtls_port" "$tlsdir/ca.pem" "$tlsdir/client.pem" "$tlsdir/client.key" "$user" "$datadir/sasl-password"
}

start() {
  if answers "$ssl_port"; then
    log "already answers on 127.0.0.1:$ssl_port"
    info; return
  fi
  bash "$here/kafka.sh" provision
  mkdir -p "$datadir"
  certificates
  local pw; pw=$(password)
  write_config "$pw"
  format_storage "$pw"
  local seen; seen=$(wc -l < "$datadir/logs/server.log" 2>/dev/null || echo 0)
  setsid nohup java -Xms256m -Xmx"${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$datadir/log4j.properties" -cp "$libs/*" \
    kafka.Kafka "$datadir/server.properties" > "$datadir/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$datadir/kafka.pid"
  log "starting (pid $!, SSL 127.0.0.1:$ssl_port, SASL 127.0.0.1:$sasl_port, mTLS 127.0.0.1:$mtls_port, data $datadir)"
  local deadline=$((SECONDS + 120))
  # Only this run's lines count: the log keeps the last run's "started".
  until tail -n +"$((seen + 1))" "$datadir/logs/server.log" 2>/dev/null | grep -q "Kafka Server started" \
      && answers "$ssl_port" && answers "$sasl_port" && answers "$mtls_port"; do
    if [ -z "$(pid_of)" ]; then
      log "the broker exited; last lines of its log:"; tail -20 "$datadir/logs/stdout.log" "$datadir/logs/server.log" >&2 2>/dev/null || true
      exit 1
    fi
    [ $SECONDS -lt $deadline ] || { log "not ready after 120 s"; exit 1; }
    sleep 0.5
  done
  log "ready"
  info
}

stop() {
  local pid deadline killed=0
  pid=$(pid_of) || { rm -f "$datadir/kafka.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ] && [ $killed = 0 ]; then
      log "did not stop in 60 s, killing"; kill -9 "$pid" 2>/dev/null || true; killed=1
    fi
    sleep 0.3
  done
  rm -f "$datadir/kafka.pid"
  log "stopped"
}

case "$cmd" in
  start) start;;
  stop) stop;;
  status) if answers "$ssl_port"; then echo "up 127.0.0.1:$ssl_port (SSL) 127.0.0.1:$sasl_port (SASL) 127.0.0.1:$mtls_port (mTLS)"; else echo "down"; fi;;
  info) info;;
  wipe) stop; rm -rf "$datadir";;
  -h|--help|help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//';;
  *) echo "usage: kafka-secure.sh start|stop|status|info|wipe" >&2; exit 2;;
esac
