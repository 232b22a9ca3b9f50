"""Route templates: literal segments and `{name}` parameters, a literal before a parameter."""

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
])
def test_templates_match_paths(template, path, expected):
    assert RouteTemplate(template).match(path.split("/")) == expected


def test_more_specific_templates_come_first():
    templates = ["{a}/{b}", "items/{id}", "items/special"]
    ordered = sorted(templates, key=lambda template: RouteTemplate(template).precedence)
    assert ordered == ["items/special", "items/{id}", "{a}/{b}"]


@pytest.mark.parametrize("template", ["n/{v:int}", "pages/{name?}", "files/{*rest}", "a{b}", "n/{v=5}"])
def test_templates_the_app_does_not_use_are_refused(template):
    with pytest.raises(HostError, match="literal segments and {name} parameters only"):
        RouteTemplate(template)
