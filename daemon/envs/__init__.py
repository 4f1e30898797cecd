"""Environments: Python environments built with uv or conda, a notebook's dependency environments, the prewarmed pools and hot kernels."""
