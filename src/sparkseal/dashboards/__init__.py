"""Dashboards for sparkseal's metrics (Grafana), generated from code."""
