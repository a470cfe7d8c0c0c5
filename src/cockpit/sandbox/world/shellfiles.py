"""The few files `kubectl exec ... cat/ls` finds in a simulated container, and its main process.

Every container has /etc/hostname, /etc/hosts, /etc/resolv.conf and /etc/os-release; some
components have their configuration, written to agree with what their logs say (Trino's memory
settings are the ones its crash complains about, DolphinScheduler's datasource is postgres-shared).
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

_OS_RELEASE = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n'
)

_DS_APPLICATION = """\
spring:
  profiles:
    active: postgresql
  jackson:
    time-zone: UTC
    date-format: "yyyy-MM-dd HH:mm:ss"
  datasource:
    driver-class-name: org.postgresql.Driver
    url: jdbc:postgresql://postgres-shared:5432/dolphinscheduler
    username: dolphinscheduler
    password: ${{SPRING_DATASOURCE_PASSWORD}}
    hikari:
      pool-name: DolphinScheduler
      maximum-pool-size: 50
server:
  port: {port}
  servlet:
    context-path: {context}
management:
  endpoints:
    web:
      exposure:
        include: health,metrics,prometheus
  endpoint:
    health:
      enabled: true
      show-details: never
registry:
  type: zookeeper
  zookeeper:
    namespace: dolphinscheduler
    connect-string: dolphinscheduler-zookeeper:2181
"""

_DS_COMMON = """\
data.basedir.path=/tmp/dolphinscheduler
resource.storage.type=S3
resource.storage.upload.base.path=/dolphinscheduler
resource.aws.s3.bucket.name=dolphinscheduler
resource.aws.s3.endpoint=http://minio:9000
resource.aws.region=us-east-1
alert.rpc.port=50052
conda.path=/opt/anaconda3/etc/profile.d/conda.sh
"""

_TRINO_CONFIG = """\
coordinator={coordinator}
http-server.http.port=8080
discovery.uri=http://trino-coordinator:8080
query.max-memory=48GB
query.max-memory-per-node=6GB
memory.heap-headroom-per-node=1GB
"""

_TRINO_JVM = """\
-server
-XX:InitialRAMPercentage=80
-XX:MaxRAMPercentage=80
-XX:G1HeapRegionSize=32M
-XX:+ExplicitGCInvokesConcurrent
-XX:+ExitOnOutOfMemoryError
-XX:+HeapDumpOnOutOfMemoryError
-Djdk.attach.allowAttachSelf=true
"""

_TRINO_ICEBERG = """\
connector.name=iceberg
iceberg.catalog.type=rest
iceberg.rest-catalog.uri=http://iceberg-rest:8181
fs.native-s3.enabled=true
s3.endpoint=http://minio:9000
s3.path-style-access=true
"""

_MAIN: dict[str, str] = {
    "dolphinscheduler-api": "/opt/java/openjdk/bin/java -server -Xms1g -Xmx1g -Xmn512m "
    "-XX:+PrintGCDetails -cp /opt/dolphinscheduler/conf:/opt/dolphinscheduler/libs/* "
    "org.apache.dolphinscheduler.api.ApiApplicationServer",
    "dolphinscheduler-master": "/opt/java/openjdk/bin/java -server -Xms4g -Xmx4g -Xmn2g "
    "-cp /opt/dolphinscheduler/conf:/opt/dolphinscheduler/libs/* "
    "org.apache.dolphinscheduler.server.master.MasterServer",
    "dolphinscheduler-worker": "/opt/java/openjdk/bin/java -server -Xms4g -Xmx4g -Xmn2g "
    "-cp /opt/dolphinscheduler/conf:/opt/dolphinscheduler/libs/* "
    "org.apache.dolphinscheduler.server.worker.WorkerServer",
    "trino-worker": "java -cp /usr/lib/trino/lib/* -XX:MaxRAMPercentage=80 "
    "-Dnode.id=${HOSTNAME} -Dnode.environment=production io.trino.server.TrinoServer",
    "trino-coordinator": "java -cp /usr/lib/trino/lib/* -XX:MaxRAMPercentage=80 "
    "-Dnode.id=${HOSTNAME} -Dnode.environment=production io.trino.server.TrinoServer",
    "grafana": "grafana server --homepath=/usr/share/grafana --config=/etc/grafana/grafana.ini",
    "loki": "/usr/bin/loki -config.file=/etc/loki/config/config.yaml -target=all",
    "victoriametrics": "/victoria-metrics-prod -storageDataPath=/storage -retentionPeriod=30d",
    "redis": "redis-server *:6379",
    "postgres": "/opt/bitnami/postgresql/bin/postgres -D /bitnami/postgresql/data "
    "--config-file=/opt/bitnami/postgresql/conf/postgresql.conf",
    "kong-access": "nginx: master process /usr/local/openresty/nginx/sbin/nginx -p /kong_prefix/ "
    "-c nginx.conf",
    "nginx-access": "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf",
}


def main_process(profile: str, image: str) -> str:
    """The command line of a container's PID 1."""
    if profile in _MAIN:
        return _MAIN[profile]
    name = image.rsplit("/", 1)[-1].split(":", 1)[0] or "app"
    return f"/usr/local/bin/{name}"


def files_for(pod: Obj, profile: str) -> tuple[dict[str, str], str]:
    """(path -> content, working directory) of a pod's container."""
    meta, status = pod["metadata"], pod.get("status") or {}
    name, ns = meta["name"], meta.get("namespace", "default")
    ip = status.get("podIP", "")
    files = {
        "/etc/hostname": name + "\n",
        "/etc/hosts": (
            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
            "::1\tlocalhost ip6-localhost ip6-loopback\n" + (f"{ip}\t{name}\n" if ip else "")
        ),
        "/etc/resolv.conf": (
            f"search {ns}.svc.cluster.local svc.cluster.local cluster.local\n"
            "nameserver 10.96.0.10\noptions ndots:5\n"
        ),
        "/etc/os-release": _OS_RELEASE,
    }
    workdir = "/"
    if profile.startswith("dolphinscheduler"):
        workdir = "/opt/dolphinscheduler"
        port, context = (12345, "/dolphinscheduler") if profile == "dolphinscheduler-api" else (5679, "/")
        files[f"{workdir}/conf/application.yaml"] = _DS_APPLICATION.format(port=port, context=context)
        files[f"{workdir}/conf/common.properties"] = _DS_COMMON
        files[f"{workdir}/conf/logback-spring.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<configuration scan="true" scanPeriod="120 seconds">\n'
            '    <root level="INFO"><appender-ref ref="STDOUT"/></root>\n</configuration>\n'
        )
        files[f"{workdir}/bin/start.sh"] = (
            '#!/bin/bash\nBIN_DIR=$(dirname "$0")\n'
            "DOLPHINSCHEDULER_HOME=${DOLPHINSCHEDULER_HOME:-$(cd $BIN_DIR/..; pwd)}\n"
            'exec "$JAVA_HOME/bin/java" $JAVA_OPTS '
            '-cp "$DOLPHINSCHEDULER_HOME/conf":"$DOLPHINSCHEDULER_HOME/libs/*" "$@"\n'
        )
        files[f"{workdir}/libs/dolphinscheduler-dao-3.2.2.jar"] = "\x00"
    elif profile.startswith("trino"):
        workdir = "/usr/lib/trino"
        coordinator = "true" if profile == "trino-coordinator" else "false"
        files["/etc/trino/config.properties"] = _TRINO_CONFIG.format(coordinator=coordinator)
        files["/etc/trino/jvm.config"] = _TRINO_JVM
        files["/etc/trino/node.properties"] = (
            f"node.environment=production\nnode.id={name}\nnode.data-dir=/data/trino\n"
        )
        files["/etc/trino/catalog/iceberg.properties"] = _TRINO_ICEBERG
        files[f"{workdir}/lib/trino-main-463.jar"] = "\x00"
    return files, workdir
