"""Metrics: pure pandas over the canonical tables (baselines and noise, limb symmetry, exposure)."""
