"""cockpit: a terminal cockpit for Kubernetes remediation sessions."""

__version__ = "0.1.0"
