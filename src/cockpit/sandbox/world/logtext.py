"""What each component writes to stdout: start-up lines, steady lines, and how it dies.

A `Profile` is data: templates filled from a per-line seeded random source, and a `style` that
formats (time, level, logger, message) as the component's logging framework does (logback,
Trino's airlift, klog, Go JSON, nginx access logs, ...).
"""

from __future__ import annotations

import functools
import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Style = Callable[[float, str, str, str], str]


def _ms(ts: float) -> str:
    return f"{int((ts - int(ts)) * 1000):03d}"


def logback(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))
    return f"[{level}] {stamp}.{_ms(ts)} +0000 {logger} - {msg}"


def spring(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return f"{stamp}.{_ms(ts)}Z {level:>5} 1 --- [           main] {logger:<40} : {msg}"


def airlift(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return f"{stamp}.{_ms(ts)}Z\t{level}\tmain\t{logger}\t{msg}"


def log4j_spark(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%y/%m/%d %H:%M:%S", time.gmtime(ts))
    return f"{stamp} {level} {logger}: {msg}"


def klog(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%m%d %H:%M:%S", time.gmtime(ts))
    micro = f"{int((ts - int(ts)) * 1_000_000):06d}"
    return f"{level[0]}{stamp}.{micro}       1 {logger}] {msg}"


def logfmt(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return f'time="{stamp}Z" level={level.lower()} msg="{msg}"{" " + logger if logger else ""}'


def json_line(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    extra = f',"logger":"{logger}"' if logger else ""
    return f'{{"level":"{level.lower()}","ts":"{stamp}.{_ms(ts)}Z"{extra},"msg":"{msg}"}}'


def plain(ts: float, level: str, logger: str, msg: str) -> str:
    return msg


def nginx(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(ts))
    return msg.replace("{stamp}", stamp)


def python_log(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))
    return f"{stamp},{_ms(ts)}:{level}:{logger}:{msg}"


def postgres(ts: float, level: str, logger: str, msg: str) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))
    return f"{stamp}.{_ms(ts)} GMT [{logger or '1'}] {level}:  {msg}"


Line = tuple[str, str, str]  # (level, logger, message template)


@dataclass(frozen=True)
class Profile:
    style: Style
    startup: tuple[Line, ...]
    steady: tuple[Line, ...]
    crash: tuple[Line, ...] = ()
    interval: float = 15.0
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


_GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "n": lambda r: str(r.randrange(1, 5000)),
    "ms": lambda r: str(r.randrange(2, 900)),
    "bytes": lambda r: str(r.randrange(200, 48000)),
    "ip": lambda r: f"10.244.{r.randrange(0, 2)}.{r.randrange(2, 250)}",
    "client": lambda r: (
        f"{r.choice(('172.68', '104.21', '162.158'))}.{r.randrange(1, 254)}.{r.randrange(1, 254)}"
    ),
    "status": lambda r: r.choice(("200", "200", "200", "200", "200", "304", "201", "404", "200", "499")),
    "hex": lambda r: f"{r.getrandbits(64):016x}",
    "market": lambda r: r.choice(("caiso", "ercot", "pjm", "miso", "nyiso", "isone", "spp", "eia")),
    "query": lambda r: (
        f"20251024_{r.randrange(100000, 999999)}_{r.randrange(10000, 99999)}_"
        f"{r.choice('abcdefghjk')}{r.choice('mnpqrstvwx')}{r.randrange(100, 999)}"
    ),
    "stamp": lambda r: "{stamp}",
}


@functools.lru_cache(maxsize=512)
def _fields(template: str) -> tuple[str, ...]:
    try:
        return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)
    except ValueError:
        return ()


def fill(
    template: str, rng: random.Random, values: dict[str, tuple[str, ...]], context: dict[str, str]
) -> str:
    """The template with its {fields} filled: context first, then scenario values, then generators."""
    names = _fields(template)
    if not names:
        return template
    pool: dict[str, str] = {}
    for name in names:
        if name in context:
            pool[name] = context[name]
        elif name in values:
            pool[name] = rng.choice(values[name])
        elif name in _GENERATORS:
            pool[name] = _GENERATORS[name](rng)
        else:
            return template
    return template.format(**pool)


def render(style: Style, ts: float, level: str, logger: str, text: str) -> str:
    """A formatted line; continuation lines of a stack trace (no logger) are printed as they are."""
    if not logger and style not in (nginx, plain):
        return text
    return style(ts, level, logger, text)


_JAVA_FRAMES_SPRING = (
    (
        "ERROR",
        "",
        "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory"
        ".initializeBean(AbstractAutowireCapableBeanFactory.java:1804)",
    ),
    (
        "ERROR",
        "",
        "\tat org.springframework.beans.factory.support.AbstractBeanFactory.doGetBean("
        "AbstractBeanFactory.java:335)",
    ),
    (
        "ERROR",
        "",
        "\tat org.springframework.context.support.AbstractApplicationContext.refresh("
        "AbstractApplicationContext.java:608)",
    ),
    ("ERROR", "", "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:1303)"),
)

_DS_SCHEMA_CRASH: tuple[Line, ...] = (
    (
        "ERROR",
        "org.apache.dolphinscheduler.tools.datasource.DolphinSchedulerManager:[82]",
        "Upgrade DolphinScheduler failed: schema version mismatch, database reports 3.1.9, expected 3.2.2",
    ),
    ("ERROR", "org.springframework.boot.SpringApplication:[843]", "Application run failed"),
    (
        "ERROR",
        "",
        "org.springframework.beans.factory.BeanCreationException: Error creating bean with name "
        "'dolphinSchedulerSchemaInitializer': Invocation of init method failed; nested exception is "
        "org.springframework.jdbc.BadSqlGrammarException: StatementCallback; bad SQL grammar [CREATE TABLE "
        "t_ds_version (id int NOT NULL, version varchar(63) NOT NULL, PRIMARY KEY (id))]; nested "
        "exception is "
        'org.postgresql.util.PSQLException: ERROR: relation "t_ds_version" already exists',
    ),
    *_JAVA_FRAMES_SPRING,
    (
        "ERROR",
        "",
        'Caused by: org.postgresql.util.PSQLException: ERROR: relation "t_ds_version" already exists',
    ),
    (
        "ERROR",
        "",
        "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)",
    ),
    (
        "ERROR",
        "",
        "\tat org.postgresql.core.v3.QueryExecutorImpl.processResults(QueryExecutorImpl.java:2401)",
    ),
    ("ERROR", "", "\tat com.zaxxer.hikari.pool.HikariProxyStatement.execute(HikariProxyStatement.java)"),
    ("ERROR", "", "\tat org.apache.dolphinscheduler.dao.upgrade.SchemaUtils.executeSql(SchemaUtils.java:97)"),
    ("ERROR", "", "\t... 24 common frames omitted"),
)

_GO_STEADY: tuple[Line, ...] = (
    ("INFO", "controller.go:{n}", "Successfully synced '{ns}/{pod}'"),
    (
        "INFO",
        "reflector.go:368",
        "Caches populated for *v1.Pod from pkg/mod/k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243",
    ),
    ("INFO", "leaderelection.go:258", "successfully renewed lease {ns}/{pod}-lock"),
)

PROFILES: dict[str, Profile] = {
    "dolphinscheduler-api": Profile(
        logback,
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.api.ApiApplicationServer:[55]",
                "Starting ApiApplicationServer v3.2.2 using Java 1.8.0_412 with PID 1",
            ),
            (
                "INFO",
                "org.apache.dolphinscheduler.api.ApiApplicationServer:[637]",
                'The following 1 profile is active: "postgresql"',
            ),
            ("INFO", "com.zaxxer.hikari.HikariDataSource:[110]", "DolphinScheduler - Starting..."),
            ("INFO", "com.zaxxer.hikari.HikariDataSource:[123]", "DolphinScheduler - Start completed."),
            (
                "INFO",
                "org.apache.dolphinscheduler.tools.datasource.DolphinSchedulerManager:[71]",
                "Start initializing the DolphinScheduler manager table structure",
            ),
        ),
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.api.interceptor.LoginHandlerInterceptor:[73]",
                "login user: admin, request uri: /dolphinscheduler/projects/list",
            ),
            ("INFO", "org.apache.dolphinscheduler.api.controller.HealthController:[52]", "health check: UP"),
        ),
        _DS_SCHEMA_CRASH,
        interval=12.0,
    ),
    "dolphinscheduler-master": Profile(
        logback,
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.server.master.MasterServer:[55]",
                "Starting MasterServer v3.2.2 using Java 1.8.0_412 with PID 1",
            ),
            ("INFO", "org.apache.curator.framework.imps.CuratorFrameworkImpl:[338]", "Starting"),
            (
                "INFO",
                "org.apache.zookeeper.ZooKeeper:[637]",
                "Initiating client connection, connectString=dolphinscheduler-zookeeper:2181 "
                "sessionTimeout=30000",
            ),
            (
                "INFO",
                "org.apache.dolphinscheduler.tools.datasource.DolphinSchedulerManager:[71]",
                "Start initializing the DolphinScheduler manager table structure",
            ),
        ),
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.server.master.registry.MasterRegistryClient:[143]",
                "Master node : {podip}:5678 registry to ZK successfully",
            ),
            (
                "INFO",
                "org.apache.dolphinscheduler.server.master.runner.MasterSchedulerBootstrap:[188]",
                "Master schedule bootstrap loop command size: 0",
            ),
        ),
        _DS_SCHEMA_CRASH,
        interval=10.0,
    ),
    "dolphinscheduler-schema": Profile(
        logback,
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.tools.datasource.InitDolphinScheduler:[45]",
                "Start init DolphinScheduler schema",
            ),
            (
                "INFO",
                "org.apache.dolphinscheduler.tools.datasource.dao.UpgradeDao:[94]",
                "Execute sql file: sql/dolphinscheduler_postgresql.sql",
            ),
            (
                "ERROR",
                "org.apache.dolphinscheduler.tools.datasource.dao.UpgradeDao:[106]",
                "Execute sql error: Table 't_ds_version' already exists",
            ),
            ("ERROR", "", 'org.postgresql.util.PSQLException: ERROR: relation "t_ds_version" already exists'),
            (
                "ERROR",
                "",
                "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse("
                "QueryExecutorImpl.java:2713)",
            ),
            (
                "ERROR",
                "",
                "\tat org.apache.dolphinscheduler.tools.datasource.dao.UpgradeDao.runInitSql("
                "UpgradeDao.java:101)",
            ),
            (
                "ERROR",
                "org.apache.dolphinscheduler.tools.datasource.InitDolphinScheduler:[52]",
                "init DolphinScheduler failed",
            ),
        ),
        (),
        interval=60.0,
    ),
    "dolphinscheduler-worker": Profile(
        logback,
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.server.worker.WorkerServer:[62]",
                "Starting WorkerServer v3.2.2 using Java 1.8.0_412 with PID 1",
            ),
            (
                "INFO",
                "org.apache.dolphinscheduler.server.worker.registry.WorkerRegistryClient:[104]",
                "Worker node: {podip}:1234 registry to ZK path /nodes/worker/{podip}:1234 successfully",
            ),
        ),
        (
            (
                "INFO",
                "org.apache.dolphinscheduler.server.worker.registry.WorkerRegistryClient:[151]",
                "Worker heartbeat: cpuUsage=0.{n}, memoryUsage=0.4{n}, serverStatus=NORMAL",
            ),
        ),
        interval=30.0,
    ),
    "trino-worker": Profile(
        airlift,
        (
            ("INFO", "io.trino.server.Server", "Java version: 23.0.1+11-LTS"),
            ("INFO", "io.airlift.log.Logging", "Logging to stderr"),
            ("INFO", "Bootstrap", "PROPERTY                                   DEFAULT  RUNTIME"),
            ("INFO", "Bootstrap", "query.max-memory-per-node                  1.2GB    6GB"),
            ("INFO", "Bootstrap", "memory.heap-headroom-per-node              921MB    1GB"),
            (
                "WARN",
                "io.trino.connector.StaticCatalogManager",
                "-- Catalog 'iceberg' failed to load: REST catalog http://iceberg-rest:8181 returned 503 --",
            ),
        ),
        (("INFO", "io.trino.execution.SqlTaskManager", "Task {query}.1.0.0 finished"),),
        (
            ("ERROR", "io.trino.server.Server", "Invalid memory configuration"),
            (
                "ERROR",
                "",
                "java.lang.IllegalArgumentException: Invalid memory configuration. The sum of max "
                "query memory "
                "per node (6442450944) and heap headroom (1073741824) cannot be larger than the "
                "available heap memory "
                "(3435973836)",
            ),
            (
                "ERROR",
                "",
                "\tat io.trino.memory.LocalMemoryManager.validateHeapHeadroom(LocalMemoryManager.java:82)",
            ),
            ("ERROR", "", "\tat io.trino.memory.LocalMemoryManager.<init>(LocalMemoryManager.java:54)"),
            ("ERROR", "", "\tat io.trino.server.Server.doStart(Server.java:153)"),
            ("ERROR", "", "\tat io.trino.server.Server.start(Server.java:96)"),
            ("ERROR", "", "\tat io.trino.server.TrinoServer.main(TrinoServer.java:38)"),
            (
                "ERROR",
                "",
                "Insufficient memory for the Java Runtime Environment to continue: exiting with code 100",
            ),
        ),
        interval=20.0,
    ),
    "trino-coordinator": Profile(
        airlift,
        (
            ("INFO", "io.trino.server.Server", "Java version: 23.0.1+11-LTS"),
            ("INFO", "io.trino.server.Server", "======== SERVER STARTED ========"),
        ),
        (
            (
                "INFO",
                "io.trino.event.QueryMonitor",
                "TIMELINE: Query {query} :: FINISHED :: elapsed {ms}ms :: "
                "planning 12ms :: waiting 0ms :: scheduling {ms}ms :: running {ms}ms :: finishing 1ms",
            ),
            (
                "WARN",
                "io.trino.node.NodeManager",
                "Worker node trino-worker is not responding: Connection refused",
            ),
            (
                "ERROR",
                "io.trino.execution.QueryStateMachine",
                "Query {query} failed: Insufficient active worker nodes. "
                "Waited 5.00m for at least 1 workers, but only 0 workers are active",
            ),
        ),
        interval=18.0,
    ),
    "spark-history": Profile(
        log4j_spark,
        (
            ("INFO", "HistoryServer", "Started daemon with process name: 1@{pod}"),
            ("INFO", "SecurityManager", "Changing view acls to: spark"),
            (
                "INFO",
                "FsHistoryProvider",
                "History server ui acls disabled; users with admin permissions: ; "
                "groups with admin permissions: ",
            ),
            ("INFO", "FsHistoryProvider", "Using local store at /var/lib/spark-history/listing.ldb"),
        ),
        (
            ("INFO", "FsHistoryProvider", "Parsing s3a://spark-logs/events/spark-{hex} for listing data..."),
            ("INFO", "FsHistoryProvider", "Finished parsing s3a://spark-logs/events/spark-{hex}"),
            ("INFO", "HistoryServer", "Bound HistoryServer to 0.0.0.0, and started at http://{pod}:18080"),
        ),
        (
            ("ERROR", "FsHistoryProvider", "Failed to open local store /var/lib/spark-history/listing.ldb"),
            (
                "ERROR",
                "",
                'Exception in thread "main" org.fusesource.leveldbjni.internal.NativeDB$DBException: '
                "IO error: lock /var/lib/spark-history/listing.ldb/LOCK: already held by process",
            ),
            ("ERROR", "", "\tat org.fusesource.leveldbjni.internal.NativeDB.checkStatus(NativeDB.java:200)"),
            ("ERROR", "", "\tat org.apache.spark.util.kvstore.LevelDB.<init>(LevelDB.java:80)"),
            (
                "ERROR",
                "",
                "\tat org.apache.spark.deploy.history.FsHistoryProvider.<init>(FsHistoryProvider.scala:141)",
            ),
            (
                "ERROR",
                "",
                "\tat org.apache.spark.deploy.history.HistoryServer$.main(HistoryServer.scala:316)",
            ),
            ("INFO", "ShutdownHookManager", "Shutdown hook called"),
        ),
        interval=25.0,
    ),
    "datahub-gms": Profile(
        spring,
        (
            ("INFO", "c.l.m.boot.OnBootApplicationListener", "Starting DataHub GMS v0.14.1"),
            (
                "INFO",
                "o.a.k.clients.consumer.ConsumerConfig",
                "ConsumerConfig values: bootstrap.servers = [datahub-kafka:9092]",
            ),
            (
                "WARN",
                "org.apache.kafka.clients.NetworkClient",
                "[AdminClient clientId=adminclient-1] Connection to node "
                "-1 (datahub-kafka/10.96.12.40:9092) could not be established. Broker may not be available.",
            ),
            (
                "WARN",
                "c.l.m.s.elasticsearch.ElasticSearchService",
                "Failed to connect to elasticsearch-master:9200: "
                "java.net.ConnectException: Connection refused",
            ),
        ),
        (
            (
                "WARN",
                "org.apache.kafka.clients.NetworkClient",
                "[Consumer clientId=consumer-generic-duhe-consumer-job-client-1"
                ", groupId=generic-duhe-consumer-job-client] Connection to node -1 "
                "(datahub-kafka/10.96.12.40:9092) could not "
                "be established. Broker may not be available.",
            ),
            (
                "ERROR",
                "c.l.m.s.elasticsearch.query.ESSearchDAO",
                "Search query failed: java.net.ConnectException: Connection refused",
            ),
        ),
        (
            ("ERROR", "o.s.boot.SpringApplication", "Application run failed"),
            (
                "ERROR",
                "",
                "org.springframework.beans.factory.BeanCreationException: Error creating bean with name "
                "'elasticSearchIndexBuilder': java.net.ConnectException: Connection refused",
            ),
            (
                "ERROR",
                "",
                "Caused by: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node "
                "assignment. Call: describeTopics",
            ),
            ("ERROR", "", "Caused by: java.net.ConnectException: Connection refused"),
            (
                "ERROR",
                "",
                "\tat org.elasticsearch.client.RestClient.extractAndWrapCause(RestClient.java:918)",
            ),
            (
                "ERROR",
                "",
                "\tat org.elasticsearch.client.RestHighLevelClient.performRequest("
                "RestHighLevelClient.java:2699)",
            ),
        ),
        interval=8.0,
    ),
    "datahub-consumer": Profile(
        spring,
        (("INFO", "c.l.m.kafka.MaeConsumerApplication", "Starting MaeConsumerApplication v0.14.1"),),
        (
            (
                "WARN",
                "org.apache.kafka.clients.NetworkClient",
                "[Consumer clientId=consumer-generic-mae-consumer-job-client-1"
                "] Connection to node -1 (datahub-kafka/10.96.12.40:9092) could not be "
                "established. Broker may not be "
                "available.",
            ),
            (
                "ERROR",
                "c.l.m.restli.DefaultRestliClientFactory",
                "Failed to reach datahub-gms:8080: Connection refused",
            ),
        ),
        (
            ("ERROR", "o.s.boot.SpringApplication", "Application run failed"),
            (
                "ERROR",
                "",
                "org.apache.kafka.common.errors.TimeoutException: Timeout expired while fetching topic "
                "metadata",
            ),
        ),
        interval=6.0,
    ),
    "datahub-setup": Profile(
        plain,
        (
            ("INFO", "", "2025/10/08 09:12:03 Waiting for: tcp://postgres-shared:5432"),
            ("INFO", "", "2025/10/08 09:12:03 Connected to tcp://postgres-shared:5432"),
            ("INFO", "", "-- create metadata_aspect_v2 table"),
            (
                "ERROR",
                "",
                'psql: error: connection to server at "postgres-shared" (10.96.30.2), port 5432 failed: '
                'FATAL:  password authentication failed for user "datahub"',
            ),
            ("ERROR", "", "2025/10/08 09:12:04 Command exited with error: exit status 2"),
        ),
        (),
        interval=60.0,
    ),
    "doris-fe": Profile(
        logback,
        (
            ("INFO", "org.apache.doris.DorisFE.start():164", "Doris FE starting..."),
            (
                "INFO",
                "org.apache.doris.catalog.Env.getClusterIdAndRole():1149",
                "current node is not added to the group. please add it first. sleep 5 seconds and retry, "
                "current helper nodes: [doris-fe-0.doris-fe-headless:9010]",
            ),
        ),
        (),
        (
            ("ERROR", "org.apache.doris.DorisFE.start():223", "DorisFE start failed"),
            ("ERROR", "", "java.lang.Exception: current node is not added to the group, will exit"),
            ("ERROR", "", "\tat org.apache.doris.catalog.Env.getClusterIdAndRole(Env.java:1161)"),
            ("ERROR", "", "\tat org.apache.doris.catalog.Env.initialize(Env.java:1043)"),
            ("ERROR", "", "\tat org.apache.doris.DorisFE.start(DorisFE.java:193)"),
        ),
        interval=5.0,
    ),
    "portal-services": Profile(
        json_line,
        (("INFO", "server", "portal-services 1.8.2 listening on :8080"),),
        (("INFO", "http", "GET /api/v1/portfolios 200 {ms}ms"), ("INFO", "http", "GET /healthz 200 1ms")),
        interval=9.0,
    ),
    "graphql-gateway": Profile(
        json_line,
        (("INFO", "server", "gateway ready at http://0.0.0.0:4000/graphql"),),
        (
            ("INFO", "graphql", "query MarketPrices(market: {market}) resolved in {ms}ms"),
            ("WARN", "datasource", "upstream trino-coordinator:8080 slow response {ms}ms"),
            ("INFO", "http", "POST /graphql 200 {ms}ms"),
        ),
        interval=6.0,
    ),
    "ingestion": Profile(
        python_log,
        (("INFO", "ingest", "market ingestion worker starting for {podmarket}"),),
        (
            (
                "INFO",
                "ingest",
                "fetched {n} LMP rows for {podmarket} interval 5m, wrote iceberg table raw.{podmarket}_lmp",
            ),
            ("WARN", "ingest", "{podmarket} API rate limited (429), retrying in 30s"),
        ),
        interval=30.0,
    ),
    "iceberg-maintenance": Profile(
        python_log,
        (
            ("INFO", "maintenance", "connecting to iceberg REST catalog http://iceberg-rest:8181"),
            ("INFO", "maintenance", "rewrite_data_files on lakehouse.raw.caiso_lmp: 312 files -> 18 files"),
            ("INFO", "maintenance", "expire_snapshots older than 7d: removed 42 snapshots"),
        ),
        (("INFO", "maintenance", "compacted partition dt=2025-10-{n}"),),
        interval=5.0,
    ),
    "superset": Profile(
        python_log,
        (
            (
                "INFO",
                "superset.app",
                "Loaded your LOCAL configuration at [/app/pythonpath/superset_config.py]",
            ),
        ),
        (
            ("INFO", "werkzeug", '{ip} - - "GET /api/v1/chart/data HTTP/1.1" 200 -'),
            ("INFO", "superset.views.core", "Query {n} finished in {ms} ms on Trino"),
        ),
        interval=14.0,
    ),
    "nginx-access": Profile(
        nginx,
        (("INFO", "", "/docker-entrypoint.sh: Configuration complete; ready for start up"),),
        (
            (
                "INFO",
                "",
                '{client} - - [{stamp}] "GET {path} HTTP/1.1" {status} {bytes} "-" "Mozilla/5.0 (X11; '
                'Linux x86_64) AppleWebKit/537.36" {ms} 0.0{ms} [{upstream}] {ip}:8080',
            ),
        ),
        interval=2.0,
        values={
            "path": (
                "/",
                "/api/v1/prices?market=caiso",
                "/graphql",
                "/dolphinscheduler/ui/",
                "/d/platform-overview",
                "/static/js/main.js",
                "/api/health",
            ),
            "upstream": (
                "data-platform-graphql-gateway-4000",
                "monitoring-grafana-3000",
                "portal-services-portal-web-80",
                "data-platform-superset-8088",
            ),
        },
    ),
    "kong-access": Profile(
        nginx,
        (
            ("INFO", "", '2025/10/24 00:00:01 [notice] 1#0: using the "epoll" event method'),
            ("INFO", "", "2025/10/24 00:00:01 [notice] 1#0: start worker processes"),
        ),
        (
            (
                "INFO",
                "",
                '{client} - - [{stamp}] "POST /graphql HTTP/1.1" {status} {bytes} "-" "curl/8.5.0" '
                'kong_request_id: "{hex}"',
            ),
            (
                "INFO",
                "",
                '{client} - - [{stamp}] "GET /api/v1/prices?market={market} HTTP/1.1" {status} {bytes} "-" '
                '"python-requests/2.32.3" kong_request_id: "{hex}"',
            ),
        ),
        interval=1.5,
    ),
    "grafana": Profile(
        logfmt,
        (("INFO", "logger=server", "Starting Grafana version=11.3.0"),),
        (
            (
                "INFO",
                "logger=context userId=1 orgId=1 uname=admin",
                "Request Completed method=GET path=/api/ds/query status=200 duration={ms}ms",
            ),
            ("INFO", "logger=cleanup", "Completed cleanup jobs duration={ms}ms"),
        ),
        interval=12.0,
    ),
    "loki": Profile(
        logfmt,
        (("INFO", "caller=main.go:126", "Starting Loki version=3.2.1"),),
        (
            ("INFO", "caller=table_manager.go:136 index-store=tsdb-2024-04-01", "uploading tables"),
            (
                "INFO",
                "caller=metrics.go:217 component=querier",
                "executing query type=range "
                'query="{{namespace=\\"data-platform\\"}}" duration={ms}ms status=200',
            ),
        ),
        interval=10.0,
    ),
    "victoriametrics": Profile(
        plain,
        (
            (
                "INFO",
                "",
                "2025-10-24T00:00:01.000Z\tinfo\tVictoriaMetrics/lib/storage/storage.go:198\topening storage "
                "at -storageDataPath=/storage",
            ),
        ),
        (
            (
                "INFO",
                "",
                "2025-10-24T00:00:01.000Z\tinfo\tVictoriaMetrics/lib/storage/partition.go:{n}\tpartition "
                '"2025_10" has been merged: {n} rows',
            ),
        ),
        interval=30.0,
    ),
    "argocd": Profile(
        logfmt,
        (("INFO", "", "ArgoCD Application Controller is starting version=v2.12.6+4dab5bd"),),
        (
            (
                "INFO",
                "application=argocd/data-platform",
                "Refreshing app status (controller refresh requested), level (1)",
            ),
            (
                "INFO",
                "application=argocd/data-platform",
                "Comparing app state (cluster: https://kubernetes.default.svc, namespace: data-platform)",
            ),
            (
                "WARN",
                "application=argocd/portal-services",
                "Manifest generation error (cached): helm/charts/portal-services: app path does not exist",
            ),
        ),
        interval=9.0,
    ),
    "cert-manager": Profile(
        klog,
        (
            (
                "INFO",
                "controller.go:166",
                '"starting controller" logger="cert-manager.controller" controller="challenges"',
            ),
        ),
        (
            (
                "ERROR",
                "sync.go:190",
                "\"propagation check failed\" err=\"wrong status code '302', expected '200'\" "
                'logger="cert-manager.controller" resource_name="spark-history-tls-1-{n}" '
                'dnsName="spark-history.'
                '254carbon.com" type="HTTP-01" location="https://254carbon.cloudflareaccess.com/cdn-cgi/access/login/'
                'spark-history.254carbon.com?redirect_url=%2F.well-known%2Facme-challenge%2F{hex}"',
            ),
            (
                "INFO",
                "conditions.go:203",
                '"Found status change for Certificate condition" logger="cert-manager" '
                'condition="Ready" oldStatus="True" status="True"',
            ),
        ),
        interval=10.0,
    ),
    "velero": Profile(
        logfmt,
        (("INFO", 'logSource="pkg/cmd/server/server.go:412"', "Starting Velero server v1.14.1"),),
        (
            (
                "INFO",
                'controller=schedule logSource="pkg/controller/schedule_controller.go:148"',
                "Schedule is not due, skip",
            ),
            ("INFO", 'backup=velero/daily-full logSource="pkg/backup/backup.go:442"', "Backed up {n} items"),
        ),
        interval=30.0,
    ),
    "redis": Profile(
        plain,
        (
            ("INFO", "", "1:C 24 Oct 2025 00:00:01.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
            ("INFO", "", "1:M 24 Oct 2025 00:00:01.001 * Ready to accept connections tcp"),
        ),
        (
            ("INFO", "", "1:M 24 Oct 2025 00:00:01.000 * 100 changes in 300 seconds. Saving..."),
            ("INFO", "", "1:M 24 Oct 2025 00:00:01.000 * Background saving terminated with success"),
        ),
        interval=300.0,
    ),
    "postgres": Profile(
        postgres,
        (("LOG", "1", "database system is ready to accept connections"),),
        (
            (
                "LOG",
                "{n}",
                "checkpoint complete: wrote {n} buffers (0.4%); 0 WAL file(s) added, 0 removed, 1 recycled",
            ),
            ("ERROR", "{n}", 'relation "t_ds_version" already exists'),
            ("LOG", "{n}", "connection authorized: user=dolphinscheduler database=dolphinscheduler"),
        ),
        interval=60.0,
    ),
    "minio": Profile(
        plain,
        (
            ("INFO", "", "MinIO Object Storage Server"),
            ("INFO", "", "API: http://{podip}:9000  http://127.0.0.1:9000"),
            ("INFO", "", "Status:         4 Online, 0 Offline."),
        ),
        (("INFO", "", "API: SYSTEM.healthcheck 200 {ms}ms"),),
        interval=120.0,
    ),
    "coredns": Profile(
        plain,
        (
            ("INFO", "", ".:53"),
            ("INFO", "", "CoreDNS-1.11.3"),
            ("INFO", "", "linux/amd64, go1.21.11, a6338e9"),
        ),
        (
            (
                "INFO",
                "",
                '[INFO] {ip}:{n} - {n} "A IN trino-coordinator.data-platform.svc.cluster.local. udp 70 false '
                '1232" NOERROR qr,aa,rd 126 0.000{ms}s',
            ),
        ),
        interval=20.0,
    ),
    "generic-java": Profile(
        spring,
        (("INFO", "o.s.b.w.embedded.tomcat.TomcatWebServer", "Tomcat started on port(s): 8080 (http)"),),
        (
            ("INFO", "o.s.web.servlet.DispatcherServlet", "Completed initialization in {ms} ms"),
            (
                "INFO",
                "c.z.hikari.pool.HikariPool",
                "HikariPool-1 - Pool stats (total=10, active=1, idle=9, waiting=0)",
            ),
        ),
        interval=30.0,
    ),
    "generic-python": Profile(
        python_log,
        (("INFO", "app", "starting {pod}"),),
        (("INFO", "app", "GET /health 200 {ms}ms"),),
        interval=20.0,
    ),
    "generic-node": Profile(
        json_line,
        (("INFO", "server", "HTTP Server started on port 8081"),),
        (("INFO", "http", "GET /render 200 {ms}ms"),),
        interval=30.0,
    ),
    "generic-go": Profile(klog, (("INFO", "main.go:54", "Starting {pod}"),), _GO_STEADY, interval=25.0),
    "generic": Profile(klog, (("INFO", "main.go:54", "Starting {pod}"),), _GO_STEADY, interval=30.0),
}
for _name in (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "flannel",
    "fluent-bit",
    "cloudflared",
):
    PROFILES[_name] = PROFILES["generic-go"]


def profile(name: str) -> Profile:
    return PROFILES.get(name) or PROFILES["generic"]


def guess_profile(image: str) -> str:
    lowered = image.lower()
    for needle, name in (
        ("nginx", "nginx-access"),
        ("kong", "kong-access"),
        ("grafana/grafana", "grafana"),
        ("loki", "loki"),
        ("victoria", "victoriametrics"),
        ("redis", "redis"),
        ("postgres", "postgres"),
        ("trino", "trino-coordinator"),
        ("spark", "spark-history"),
        ("python", "generic-python"),
        ("node", "generic-node"),
        ("java", "generic-java"),
        ("openjdk", "generic-java"),
        ("busybox", "generic"),
        ("argocd", "argocd"),
    ):
        if needle in lowered:
            return name
    return "generic-go"
