"""Helpers the tests import: builders, fakes and readers shared by several test files.

conftest.py files only define fixtures and hooks; whatever a test imports by name lives here,
one module per topic.
"""
