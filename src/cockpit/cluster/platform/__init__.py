"""Platform health: service URL checks, PromQL metrics, Velero backups, Grafana and Loki.

Plain data out, no Textual: the Platform pane (cockpit.ui.panes.platform) shows what this
package produces. Everything that touches the network is async (httpx) and never blocks.
"""
