"""Route templates: parameters, constraints, optional and catch-all segments, precedence."""

from __future__ import annotations

import pytest

from localdev.host import HostError
from localdev.host.routes import RouteTemplate

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(("template", "path", "expected"), [
    ("remediations/{id}", "remediations/abc", {"id": "abc"}),
    ("Remediations/{id}/approve", "remediations/abc/APPROVE", {"id": "abc"}),
    ("remediations/{id}", "remediations/abc/approve", None),
    ("items/{id:guid}", f"items/{GUID}", {"id": GUID}),
    ("items/{id:guid}", "items/42", None),
    ("n/{v:int}", "n/-7", {"v": "-7"}),
    ("n/{v:int}", "n/99999999999", None),
    ("n/{v:long:min(3)}", "n/2", None),
    ("n/{v:range(1,5)}", "n/5", {"v": "5"}),
    ("n/{v:alpha:maxlength(3)}", "n/abcd", None),
    ("n/{v:bool}", "n/True", {"v": "True"}),
    ("n/{v:regex(^a+$)}", "n/aaa", {"v": "aaa"}),
    ("pages/{name?}", "pages", {}),
    ("files/{*rest}", "files/a/b", {"rest": "a/b"}),
    ("files/{*rest}", "files", {}),
])
def test_templates_match_paths(template, path, expected):
    assert RouteTemplate(template).match(path.split("/")) == expected


def test_more_specific_templates_come_first():
    templates = ["{*all}", "items/{id?}", "items/{id}", "items/{id:int}", "items"]
    ordered = sorted(templates, key=lambda template: RouteTemplate(template).precedence)
    assert ordered == ["items", "items/{id:int}", "items/{id}", "items/{id?}", "{*all}"]


@pytest.mark.parametrize("template", ["n/{v:unknown}", "a{b}", "n/{v=5}"])
def test_templates_the_host_cannot_follow_are_refused(template):
    with pytest.raises(HostError):
        RouteTemplate(template)
