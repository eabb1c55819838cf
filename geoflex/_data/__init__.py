"""Compiled reference tables shipped with geoflex (built by data/build.py; see data/README.md)."""
