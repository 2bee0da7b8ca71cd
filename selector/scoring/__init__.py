"""The scoring core: pure rules, no Flask, no SQLAlchemy. See DESIGN §1."""
