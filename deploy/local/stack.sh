#!/usr/bin/env bash
# Local stack without Docker: Apache Kafka (KRaft, single node), Apicurio Registry (Confluent-compatible
# API), ElasticMQ (an SQS-compatible server, standing in for Amazon SQS) and PostgreSQL, all on
# 127.0.0.1. Kafka and Apicurio are resolved from Maven Central by deploy/local/pom.xml, ElasticMQ by a
# small pom this script writes into the stack dir; PostgreSQL is the local server if one answers,
# otherwise the Debian cluster.
#
#   stack.sh start | stop | status | env | clean
#   stack.sh start-sqs | stop-sqs      ElasticMQ alone (leaves Kafka, the registry and PostgreSQL alone)
#
# Idempotent: start leaves running parts alone, stop leaves nothing behind. Data lives in
# deploy/local/.stack (git-ignored). Ports and versions come from the environment (see .env.example).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STACK_DIR="${STACK_DIR:-$HERE/.stack}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"
APICURIO_VERSION="$(sed -n 's:.*<apicurio.version>\(.*\)</apicurio.version>.*:\1:p' "$HERE/pom.xml")"
KAFKA_HOME="$STACK_DIR/kafka-$KAFKA_VERSION"
APICURIO_HOME="$STACK_DIR/apicurio-$APICURIO_VERSION"
RUN_DIR="$STACK_DIR/run"
DATA_DIR="$STACK_DIR/data"

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
REGISTRY_PORT="${REGISTRY_PORT:-18081}"
SQS_PORT="${SQS_PORT:-19324}"
ELASTICMQ_VERSION="${ELASTICMQ_VERSION:-1.7.1}"
ELASTICMQ_HOME="$STACK_DIR/elasticmq-$ELASTICMQ_VERSION"
SQS_HEAP="${SQS_HEAP:--Xms64m -Xmx256m}"
# the queues ElasticMQ creates at start: SP-API notifications, and their dead letters (a message that
# failed this many receives moves there instead of looping forever)
SQS_QUEUE="${SQS_QUEUE:-sp-api-notifications}"
SQS_DLQ="${SQS_DLQ:-sp-api-notifications-dlq}"
SQS_MAX_RECEIVES="${SQS_MAX_RECEIVES:-5}"
SQS_REGION="${SQS_REGION:-us-east-1}"
SQS_ACCOUNT="${SQS_ACCOUNT:-000000000000}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
PG_APP_DB="${PG_APP_DB:-connector}"
PG_REGISTRY_DB="${PG_REGISTRY_DB:-apicurio_registry}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"
REGISTRY_HEAP="${REGISTRY_HEAP:--Xms128m -Xmx512m}"
START_TIMEOUT="${START_TIMEOUT:-120}"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_owner_cmd() { # the command line of the process listening on 127.0.0.1:$1, if we may see it
  local pid
  pid="$(ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)"
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null
}

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local start=$SECONDS
  until "$@"; do
    if (( SECONDS - start >= limit )); then return 1; fi
    sleep 0.5
  done
}

need_java() {
  command -v java >/dev/null || die "java not found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jre-headless)"
  local major
  major="$(java_major java)"
  [ "$major" -ge 17 ] 2>/dev/null || die "java $major found; Kafka $KAFKA_VERSION needs 17 or newer"
  REGISTRY_JAVA="$(registry_java)"
}

# Apicurio Registry 3.3 is compiled for Java 21; Kafka runs on 17. REGISTRY_JAVA_HOME wins, then the
# default java if it is new enough, then the newest JDK >= 21 under /usr/lib/jvm.
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' | cut -d. -f1; }
registry_java() {
  local candidate
  for candidate in ${REGISTRY_JAVA_HOME:+"$REGISTRY_JAVA_HOME/bin/java"} "$(command -v java)" $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV); do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then echo "$candidate"; return; fi
  done
  die "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer and none was found (set REGISTRY_JAVA_HOME, or apt-get install openjdk-21-jre-headless / a Temurin 21+)"
}

resolve_artifacts() {
  if [ -f "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" ] && [ -f "$APICURIO_HOME/quarkus-run.jar" ]; then
    return
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven resolves Kafka and Apicurio from Maven Central (apt-get install maven)"
  log "resolving Kafka $KAFKA_VERSION and Apicurio Registry $APICURIO_VERSION from Maven Central"
  mvn -B -q -f "$HERE/pom.xml" -Dstack.dir="$STACK_DIR" process-resources >"$STACK_DIR/maven.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/maven.log" >&2; die "maven could not resolve the stack (log: $STACK_DIR/maven.log)"; }
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }

start_postgres() {
  if ! command -v pg_isready >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "postgres: not installed; installing Debian's postgresql"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 ||
      die "apt-get could not install postgresql"
  fi
  if ! command -v pg_isready >/dev/null; then
    die "PostgreSQL client tools not found (apt-get install postgresql-client), or set PGHOST/PGPORT to a server"
  fi
  if pg_ready; then
    log "postgres: using the server on $PGHOST:$PGPORT"
  elif [ "$PGHOST" = 127.0.0.1 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    local ver
    ver="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "postgres: starting the local cluster $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 || die "pg_ctlcluster could not start $ver/main"
    wait_until 30 postgres pg_ready || die "postgres did not answer on $PGHOST:$PGPORT"
  else
    die "no PostgreSQL answers on $PGHOST:$PGPORT and none can be started here (install postgresql, or point PGHOST/PGPORT at one)"
  fi
  local db
  for db in "$PG_APP_DB" "${PG_APP_DB}_test" "$PG_REGISTRY_DB"; do
    if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "create database \"$db\"" >&2 ||
        die "could not create database $db as $PGUSER"
    fi
  done
}

# ---------------------------------------------------------------- Kafka (KRaft)
kafka_config() {
  mkdir -p "$DATA_DIR/kafka" "$RUN_DIR"
  cat >"$RUN_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR/kafka
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.backoff.ms=1000
EOF
  cat >"$RUN_DIR/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $RUN_DIR/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
EOF
}

kafka_java() { java $KAFKA_HEAP -Dlog4j2.configurationFile="$RUN_DIR/log4j2.properties" -cp "$KAFKA_HOME/libs/*" "$@"; }

start_kafka() {
  if pid_alive "$RUN_DIR/kafka.pid" && port_open "$KAFKA_PORT"; then
    log "kafka: already running on 127.0.0.1:$KAFKA_PORT"; return
  fi
  if port_open "$KAFKA_PORT"; then
    # a broker of ours from another checkout (same ports, other folder) is as good as a new one
    if port_owner_cmd "$KAFKA_PORT" | grep -q 'kafka\.Kafka'; then
      log "kafka: reusing the Kafka broker already listening on 127.0.0.1:$KAFKA_PORT"; return
    fi
    die "port $KAFKA_PORT is taken by another process (set KAFKA_PORT)"
  fi
  port_open "$KAFKA_CONTROLLER_PORT" && die "port $KAFKA_CONTROLLER_PORT is taken by another process (set KAFKA_CONTROLLER_PORT)"
  kafka_config
  if [ ! -f "$DATA_DIR/kafka/meta.properties" ]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$RUN_DIR/server.properties" >"$RUN_DIR/kafka-format.log" 2>&1 ||
      { cat "$RUN_DIR/kafka-format.log" >&2; die "kafka storage format failed"; }
  fi
  log "kafka: starting $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  nohup java $KAFKA_HEAP -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$RUN_DIR/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$RUN_DIR/server.properties" >"$RUN_DIR/kafka.out" 2>&1 9>&- &
  echo $! >"$RUN_DIR/kafka.pid"
  wait_until "$START_TIMEOUT" kafka kafka_ready ||
    { tail -n 40 "$RUN_DIR/kafka.out" "$RUN_DIR/kafka.log" >&2 2>/dev/null; die "kafka did not start within ${START_TIMEOUT}s"; }
}
kafka_ready() {
  pid_alive "$RUN_DIR/kafka.pid" || { tail -n 40 "$RUN_DIR/kafka.out" >&2; die "kafka exited during start"; }
  port_open "$KAFKA_PORT"
}

# ---------------------------------------------------------------- Apicurio Registry
registry_url() { echo "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"; }
registry_ready() {
  pid_alive "$RUN_DIR/registry.pid" || { tail -n 40 "$RUN_DIR/registry.out" >&2; die "apicurio registry exited during start"; }
  curl -fsS -o /dev/null "$(registry_url)/subjects" 2>/dev/null
}

start_registry() {
  if pid_alive "$RUN_DIR/registry.pid" && port_open "$REGISTRY_PORT"; then
    log "registry: already running at $(registry_url)"; return
  fi
  if port_open "$REGISTRY_PORT"; then
    if curl -fsS -o /dev/null "$(registry_url)/subjects" 2>/dev/null; then
      log "registry: reusing the schema registry already answering at $(registry_url)"; return
    fi
    die "port $REGISTRY_PORT is taken by another process (set REGISTRY_PORT)"
  fi
  mkdir -p "$RUN_DIR"
  log "registry: starting Apicurio Registry $APICURIO_VERSION at $(registry_url)"
  (
    cd "$APICURIO_HOME"
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$REGISTRY_PORT" \
    QUARKUS_HTTP_CORS_ORIGINS='*' QUARKUS_PROFILE=prod \
    APICURIO_STORAGE_KIND=sql APICURIO_STORAGE_SQL_KIND=postgresql \
    APICURIO_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$PG_REGISTRY_DB" \
    APICURIO_DATASOURCE_USERNAME="$PGUSER" APICURIO_DATASOURCE_PASSWORD="${PGPASSWORD:-postgres}" \
    QUARKUS_LOG_LEVEL=WARN QUARKUS_LOG_CONSOLE_JSON=false \
      nohup "$REGISTRY_JAVA" $REGISTRY_HEAP -jar quarkus-run.jar >"$RUN_DIR/registry.out" 2>&1 9>&- &
    echo $! >"$RUN_DIR/registry.pid"
  )
  wait_until "$START_TIMEOUT" registry registry_ready ||
    { tail -n 40 "$RUN_DIR/registry.out" >&2; die "apicurio registry did not answer within ${START_TIMEOUT}s"; }
}

# ---------------------------------------------------------------- ElasticMQ (SQS)
# ElasticMQ's server jar and its dependencies from Maven Central (org.elasticmq:elasticmq-server_2.13),
# through a pom written here; it runs on Java 17.
resolve_elasticmq() {
  [ -f "$ELASTICMQ_HOME/libs/elasticmq-server_2.13-$ELASTICMQ_VERSION.jar" ] && return
  command -v mvn >/dev/null || die "mvn not found: Maven resolves ElasticMQ from Maven Central (apt-get install maven)"
  mkdir -p "$ELASTICMQ_HOME"
  cat >"$ELASTICMQ_HOME/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- written by deploy/local/stack.sh: resolves ElasticMQ and its dependencies; nothing is built -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.amazon-erp-connector</groupId>
  <artifactId>local-stack-elasticmq</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.elasticmq</groupId>
      <artifactId>elasticmq-server_2.13</artifactId>
      <version>$ELASTICMQ_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
        <executions>
          <execution>
            <id>elasticmq-libs</id>
            <phase>process-resources</phase>
            <goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <outputDirectory>$ELASTICMQ_HOME/libs</outputDirectory>
              <includeScope>runtime</includeScope>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
  log "resolving ElasticMQ $ELASTICMQ_VERSION from Maven Central"
  mvn -B -q -f "$ELASTICMQ_HOME/pom.xml" process-resources >"$STACK_DIR/maven-elasticmq.log" 2>&1 ||
    { tail -n 30 "$STACK_DIR/maven-elasticmq.log" >&2; die "maven could not resolve ElasticMQ (log: $STACK_DIR/maven-elasticmq.log)"; }
}

sqs_endpoint() { echo "http://127.0.0.1:$SQS_PORT"; }
sqs_queue_url() { echo "$(sqs_endpoint)/$SQS_ACCOUNT/$1"; }
sqs_answers() { curl -fsS -o /dev/null -X POST "$(sqs_endpoint)/" -d 'Action=ListQueues' 2>/dev/null; }
sqs_ready() {
  pid_alive "$RUN_DIR/elasticmq.pid" || { tail -n 40 "$RUN_DIR/elasticmq.out" >&2; die "elasticmq exited during start"; }
  sqs_answers
}

elasticmq_config() {
  mkdir -p "$RUN_DIR"
  cat >"$RUN_DIR/elasticmq.conf" <<EOF
include classpath("application.conf")
node-address { protocol = http, host = 127.0.0.1, port = $SQS_PORT, context-path = "" }
rest-sqs { enabled = true, bind-port = $SQS_PORT, bind-hostname = "127.0.0.1", sqs-limits = strict }
rest-stats { enabled = false, bind-port = 0, bind-hostname = "127.0.0.1" }
generate-node-address = false
aws { region = "$SQS_REGION", accountId = "$SQS_ACCOUNT" }
queues {
  "$SQS_DLQ" { defaultVisibilityTimeout = 30 seconds }
  "$SQS_QUEUE" {
    defaultVisibilityTimeout = 30 seconds
    receiveMessageWait = 0 seconds
    deadLettersQueue { name = "$SQS_DLQ", maxReceiveCount = $SQS_MAX_RECEIVES }
  }
}
EOF
  cat >"$RUN_DIR/elasticmq-logback.xml" <<EOF
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$RUN_DIR/elasticmq.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.elasticmq" level="INFO"/>
  <root level="WARN"><appender-ref ref="FILE"/></root>
</configuration>
EOF
}

start_sqs() {
  if pid_alive "$RUN_DIR/elasticmq.pid" && sqs_answers; then
    log "sqs: already running at $(sqs_endpoint)"; return
  fi
  if port_open "$SQS_PORT"; then
    # an ElasticMQ of ours from another checkout (same port, other folder) serves as well
    if port_owner_cmd "$SQS_PORT" | grep -q 'org\.elasticmq\.server\.Main'; then
      log "sqs: reusing the ElasticMQ already listening at $(sqs_endpoint)"; return
    fi
    die "port $SQS_PORT is taken by another process (set SQS_PORT)"
  fi
  command -v java >/dev/null || die "java not found: install a JDK 17 or newer"
  resolve_elasticmq
  elasticmq_config
  log "sqs: starting ElasticMQ $ELASTICMQ_VERSION at $(sqs_endpoint) (queues $SQS_QUEUE, $SQS_DLQ)"
  nohup java $SQS_HEAP -Djava.awt.headless=true -Dconfig.file="$RUN_DIR/elasticmq.conf" \
    -Dlogback.configurationFile="$RUN_DIR/elasticmq-logback.xml" \
    -cp "$ELASTICMQ_HOME/libs/*" org.elasticmq.server.Main >"$RUN_DIR/elasticmq.out" 2>&1 9>&- &
  echo $! >"$RUN_DIR/elasticmq.pid"
  wait_until "$START_TIMEOUT" sqs sqs_ready ||
    { tail -n 40 "$RUN_DIR/elasticmq.out" "$RUN_DIR/elasticmq.log" >&2 2>/dev/null; die "elasticmq did not answer within ${START_TIMEOUT}s"; }
}

stop_one() { # stop_one NAME
  local pidf="$RUN_DIR/$1.pid"
  if pid_alive "$pidf"; then
    local pid; pid="$(cat "$pidf")"
    log "$1: stopping (pid $pid)"
    kill "$pid" 2>/dev/null || true
    wait_until 30 "$1" bash -c "! kill -0 $pid 2>/dev/null" || { log "$1: did not stop in 30s, killing"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$pidf"
}

print_env() {
  cat <<EOF
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
SCHEMA_REGISTRY_URL=$(registry_url)
DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/$PG_APP_DB
TEST_DATABASE_URL=postgres://$PGUSER@$PGHOST:$PGPORT/${PG_APP_DB}_test
SQS_ENDPOINT=$(sqs_endpoint)
SQS_REGION=$SQS_REGION
SQS_QUEUE_URL=$(sqs_queue_url "$SQS_QUEUE")
SQS_QUEUE_ARN=arn:aws:sqs:$SQS_REGION:$SQS_ACCOUNT:$SQS_QUEUE
SQS_DLQ_URL=$(sqs_queue_url "$SQS_DLQ")
EOF
}

status() {
  local ok=0
  # "another checkout's": answering on the port, started from another folder's stack.sh (reused by start)
  if pid_alive "$RUN_DIR/kafka.pid" && port_open "$KAFKA_PORT"; then echo "kafka     up    127.0.0.1:$KAFKA_PORT (Kafka $KAFKA_VERSION, KRaft)"
  elif port_open "$KAFKA_PORT"; then echo "kafka     up    127.0.0.1:$KAFKA_PORT (another checkout's)"; else echo "kafka     down"; ok=1; fi
  if pid_alive "$RUN_DIR/registry.pid" && curl -fsS -o /dev/null "$(registry_url)/subjects" 2>/dev/null; then echo "registry  up    $(registry_url) (Apicurio $APICURIO_VERSION)"
  elif curl -fsS -o /dev/null "$(registry_url)/subjects" 2>/dev/null; then echo "registry  up    $(registry_url) (another checkout's)"; else echo "registry  down"; ok=1; fi
  if pg_ready; then echo "postgres  up    $PGHOST:$PGPORT"; else echo "postgres  down"; ok=1; fi
  if pid_alive "$RUN_DIR/elasticmq.pid" && sqs_answers; then echo "sqs       up    $(sqs_endpoint) (ElasticMQ $ELASTICMQ_VERSION; queues $SQS_QUEUE, $SQS_DLQ)"
  elif sqs_answers; then echo "sqs       up    $(sqs_endpoint) (another checkout's)"; else echo "sqs       down"; ok=1; fi
  return $ok
}

cmd="${1:-status}"
mkdir -p "$STACK_DIR" "$RUN_DIR"
case "$cmd" in
  start)
    # one starter at a time (parallel test runs may call start together); the servers it starts do not
    # inherit the lock (9>&- on their command lines), or the next start would wait for them forever
    exec 9>"$STACK_DIR/.start.lock"
    flock -w 300 9 || die "another stack.sh start has held the lock for 5 minutes ($STACK_DIR/.start.lock)"
    t0=$SECONDS
    need_java
    resolve_artifacts
    start_postgres
    start_kafka
    start_registry
    start_sqs
    log "stack up in $((SECONDS - t0))s"
    print_env
    ;;
  start-sqs)
    exec 9>"$STACK_DIR/.start.lock"
    flock -w 300 9 || die "another stack.sh start has held the lock for 5 minutes ($STACK_DIR/.start.lock)"
    start_sqs
    print_env | grep '^SQS_'
    ;;
  stop-sqs) stop_one elasticmq ;;
  stop) stop_one elasticmq; stop_one registry; stop_one kafka ;;
  status) status ;;
  env) print_env ;;
  clean) stop_one elasticmq; stop_one registry; stop_one kafka; rm -rf "$DATA_DIR" "$RUN_DIR"
         psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "drop database if exists \"$PG_REGISTRY_DB\"" >&2 || true
         log "data removed" ;;
  *) die "usage: stack.sh start|stop|status|env|clean|start-sqs|stop-sqs" ;;
esac
