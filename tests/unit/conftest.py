"""Every test here also checks that the problems it makes the core raise are bilingual."""

from tests.bilingual import pytest_runtest_call  # noqa: F401
