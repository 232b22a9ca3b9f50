"""Route templates: literal segments, `{name}` parameters and a last `{*name}` catch-all, a literal
before a parameter before a catch-all."""

from __future__ import annotations

import pytest

from localdev.host import HostError
from localdev.host.routes import RouteTemplate


@pytest.mark.parametrize(("template", "path", "expected"), [
    ("remediations/{id}", "remediations/abc", {"id": "abc"}),
    ("Remediations/{id}/approve", "remediations/abc/APPROVE", {"id": "abc"}),
    ("remediations/{id}", "remediations/abc/approve", None),
    ("remediations/{id}", "remediations", None),
    ("health", "Health", {}),
    ("health", "other", None),
    ("{*path}", "", {}),
    ("{*path}", "console/app.js", {"path": "console/app.js"}),
    ("files/{*rest}", "files/a/b", {"rest": "a/b"}),
    ("files/{*rest}", "other/a", None),
])
def test_templates_match_paths(template, path, expected):
    assert RouteTemplate(template).match([part for part in path.split("/") if part]) == expected


def test_more_specific_templates_come_first():
    templates = ["{*rest}", "{a}/{b}", "items/{id}", "items/special"]
    ordered = sorted(templates, key=lambda template: RouteTemplate(template).precedence)
    assert ordered == ["items/special", "items/{id}", "{a}/{b}", "{*rest}"]


@pytest.mark.parametrize("template", ["n/{v:int}", "pages/{name?}", "files/{*rest}/x", "a{b}", "n/{v=5}",
                                      "{*rest:int}"])
def test_templates_the_app_does_not_use_are_refused(template):
    with pytest.raises(HostError, match="literal segments, {name} parameters and a last {\\*name} only"):
        RouteTemplate(template)
