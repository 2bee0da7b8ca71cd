"""The scoring core: pure rules, no Flask, no SQLAlchemy. See docs/contract.md."""
