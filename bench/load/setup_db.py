"""The database of the load run (`bench/load/run.sh`): the schema by `selector init-db`, the
demo tenders by `selector demo` (the results page of its closed CRM tender), and an open
tender of 5 vendors × the CRM template with LOAD_EVALUATORS evaluators (default 50), each
with a draft sheet on the first vendor, for the sheet pages and the saves.

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python bench/load/setup_db.py OUT.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from page_tenders import build_tender  # noqa: E402
from sqlalchemy import select  # noqa: E402

from selector import create_app  # noqa: E402
from selector.scoring import rules  # noqa: E402
from selector.services import sheets, users  # noqa: E402
from selector.services.templates import template_of  # noqa: E402
from selector.store.db import get_session  # noqa: E402
from selector.store.models import Tender  # noqa: E402

DEMO_PASSWORD = "bench-demo-password"


def draft_values(template: object) -> dict[str, str]:
    values = {}
    for criterion in template.criteria():  # type: ignore[attr-defined]
        if not criterion.is_scored_by_evaluators:
            continue
        if criterion.kind == "scale":
            values[criterion.id] = str(criterion.max)
        else:
            values[criterion.id] = rules.choices(criterion)[0].key
    return values


def main() -> None:
    selector = str(Path(sys.executable).parent / "selector")
    subprocess.run([selector, "init-db"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([selector, "demo", "--password", DEMO_PASSWORD], check=True,
                   stdout=subprocess.DEVNULL)
    app = create_app()
    evaluators = int(os.environ.get("LOAD_EVALUATORS", "50"))
    built = build_tender(app, vendors=5, evaluators=evaluators, state="open", prefix="load")
    first_vendor = next(iter(built.vendors.values()))
    with app.test_request_context():
        session = get_session()
        tender = session.get(Tender, built.id)
        assert tender is not None
        values = draft_values(template_of(tender))
        for username in built.evaluators:
            evaluator = users.find_user(session, username)
            sheets.save_sheet(session, built.id, first_vendor, evaluator=evaluator, version=0,
                              values=values, comments={}, submit=False)
        demo = session.scalar(select(Tender.id).where(Tender.state == "closed"))
    facts = {
        "demo_tender": demo, "demo_chair": "chair", "demo_password": DEMO_PASSWORD,
        "load_tender": built.id, "vendor": first_vendor, "evaluators": built.evaluators,
        "values": values,
    }
    Path(sys.argv[1]).write_text(json.dumps(facts, indent=1))


if __name__ == "__main__":
    main()
