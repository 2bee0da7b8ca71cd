"""Criteria templates: the files in `criteria/`, uploads, and a tender's frozen snapshot.

A tender stores the YAML text it was created from. `template_from_snapshot` rebuilds the
`Template` from that text (cached), so editing a file in `criteria/` never changes a tender
in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from selector.files.criteria import (
    TemplateError,
    load_template,
    load_template_text,
    template_to_json,
)
from selector.scoring.limits import MAX_TEMPLATE_BYTES
from selector.scoring.model import Template, Text
from selector.services import NotFound, ServiceError
from selector.store.models import Tender


@dataclass(frozen=True)
class TemplateChoice:
    """A template file a chair can pick: its file key (stem), id and title."""

    key: str
    id: str
    title: Text
    path: Path


def available_templates(criteria_dir: str | Path) -> list[TemplateChoice]:
    """The valid templates in `criteria_dir`, by file name (files that fail to load are skipped)."""

    choices = []
    for path in sorted(Path(criteria_dir).glob("*.y*ml")):
        try:
            template = load_template(path)
        except (TemplateError, OSError):
            continue
        choices.append(TemplateChoice(path.stem, template.id, template.title, path))
    return choices


def read_template_file(criteria_dir: str | Path, key: str) -> tuple[str, Template]:
    """The YAML text and template of `criteria/<key>.yaml`; NotFound for any other name."""
    for choice in available_templates(criteria_dir):
        if choice.key == key:
            text = choice.path.read_text(encoding="utf-8")
            return text, template_from_snapshot(text, choice.path.name)
    raise NotFound(
        Text(
            zh=f"评分模板目录中没有“{key}”。",
            en=f"There is no template '{key}' in the criteria folder.",
        ),
        field="template",
    )


def parse_uploaded_template(data: bytes, filename: str) -> tuple[str, Template]:
    """Check an uploaded YAML template; ServiceError lists the loader's problems."""

    if len(data) > MAX_TEMPLATE_BYTES:
        raise ServiceError(
            Text(
                zh=f"模板文件过大:最多 {MAX_TEMPLATE_BYTES // 1024} KB。",
                en=f"The template file is too large: at most {MAX_TEMPLATE_BYTES // 1024} KB.",
            ),
            field="template_file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(
            Text(
                zh="模板不是 UTF-8 文本:请另存为 UTF-8 后重新上传。",
                en="The template is not UTF-8 text: save it as UTF-8 and upload it again.",
            ),
            field="template_file",
        ) from None
    try:
        template = load_template_text(text, filename)
    except TemplateError as error:
        raise ServiceError(
            Text(
                zh="模板有问题,请修正后重新上传:",
                en="The template has problems; fix them and upload it again:",
            ),
            field="template_file",
            problems=error.texts,
        ) from None
    return text, template


@lru_cache(maxsize=128)
def template_from_snapshot(yaml_text: str, source: str) -> Template:
    """Rebuild a tender's template from its stored YAML (cached: templates are immutable)."""

    return load_template_text(yaml_text, source)


def template_json(template: Template) -> dict[str, Any]:

    return dict(template_to_json(template))


def template_of(tender: Tender) -> Template:
    """The tender's own template, rebuilt from its snapshot."""
    return template_from_snapshot(tender.template_yaml, tender.template_source)
