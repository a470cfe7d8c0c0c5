"""Live sources from the cluster: plain data out, no Textual.

- `connect`: choose the cluster like kubectl -> `ClusterTarget` + a client; `probe`. `kubeclient`:
  the client for plain credentials (token, token file, client certificate) without the official one.
- `kubeapi`: raw-JSON requests over that client's auth and TLS (`KubeApi`, `ResourceKind`).
- `informer`: one shared list+watch per kind (`Informer`, `ChangeSet`); `registry`: `InformerRegistry`
  (one per cluster, restarts dead informers, marks silent ones stale); `health`: `Health`, `Deadlines`.
- `pods`, `argocd`, `certs`: per-kind summaries (`PodSummary`, `AppStatus`, `CertStatus`) and actions.
- `logs`, `loki`: `kubectl logs -f`-like following into a bounded `LogBuffer`; the one Loki client
  (`LokiClient`: the logs pane's follower and the platform health check).
- `explain`: one sentence for a failed request (DNS, refused, TLS, timeout); login-page redirects.
- `metrics`, `checks`: the plan's success metrics and self-checking task criteria, live.
- `tlsprobe`: what a certificate's host actually serves, and whether the ACME path is intercepted.
- `tlscert`: the served certificate (issuer, validity), read even when untrusted; shared by
  `tlsprobe` and the platform's URL checks.
- `hub`: `ClusterHub`, the one object the app builds; the live panes are built from it.
(`platform/` holds the platform health checks of issue 6.)
"""
