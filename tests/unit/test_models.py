from remediation.models import STEP_NAMES, Job, Trigger, normalize_user


def test_job_json_round_trip_keeps_the_contract_fields():
    job = Job(id="rj-1", user="adele@contoso.com", status="queued", mode="dry-run",
              trigger=Trigger("admin", requested_by="admin@contoso.com"),
              createdAt="2026-11-28T07:00:00Z", updatedAt="2026-11-28T07:00:00Z")
    body = job.to_json("http://localhost:7071/")
    assert {"id", "user", "status", "mode", "trigger", "createdAt", "updatedAt", "steps"} <= set(body)
    assert [step["name"] for step in body["steps"]] == list(STEP_NAMES)
    assert {"name", "status", "startedAt", "endedAt", "detail"} <= set(body["steps"][0])
    assert body["url"] == "http://localhost:7071/api/remediations/rj-1"
    assert Job.from_json(body) == job


def test_users_are_keyed_case_insensitively():
    assert normalize_user("  Adele.Vance@Contoso.COM ") == "adele.vance@contoso.com"
