"""host.json, local.settings.json and the environment, as the host reads them."""

from __future__ import annotations

import json
import logging

import pytest

from localdev.host import HostConfig, HostError, LocalSettings
from localdev.host import logs
from localdev.host.config import DEFAULT_FUNCTION_TIMEOUT
from localdev.host.settings import export, resolve


def test_host_json_defaults_are_the_hosts():
    config = HostConfig.from_dict({})
    assert (config.route_prefix, config.function_timeout) == ("api", DEFAULT_FUNCTION_TIMEOUT)
    queues = config.queues
    assert (queues.max_dequeue_count, queues.visibility_timeout, queues.batch_size, queues.new_batch_threshold,
            queues.max_polling_interval) == (5, 0.0, 16, 8, 60.0)
    assert (config.singleton.listener_lock_period, config.singleton.listener_lock_recovery_polling_interval) == (
        60.0, 60.0)


def test_host_json_values_are_read_case_insensitively():
    config = HostConfig.from_dict({
        "functionTimeout": "00:10:00",
        "Extensions": {"HTTP": {"routePrefix": "/v1/"},
                       "queues": {"MaxDequeueCount": 3, "visibilityTimeout": "00:00:30", "batchSize": 4,
                                  "newBatchThreshold": 1, "maxPollingInterval": 500, "messageEncoding": "Base64"}},
        "Singleton": {"ListenerLockPeriod": "00:00:15", "listenerLockRecoveryPollingInterval": "00:00:01"},
        "logging": {"logLevel": {"default": "Warning", "Function.worker": "Debug"}}})
    assert (config.route_prefix, config.function_timeout) == ("v1", 600.0)
    assert config.queues.max_dequeue_count == 3 and config.queues.visibility_timeout == 30.0
    assert (config.queues.batch_size, config.queues.new_batch_threshold) == (4, 1)
    assert config.queues.max_polling_interval == 0.5
    assert (config.singleton.listener_lock_period, config.singleton.listener_lock_recovery_polling_interval) == (
        15.0, 1.0)
    assert config.log_levels == {"default": logging.WARNING, "Function.worker": logging.DEBUG}


@pytest.mark.parametrize("timeout", ["-1", None])
def test_an_unlimited_function_timeout(timeout):
    assert HostConfig.from_dict({"functionTimeout": timeout}).function_timeout is None


@pytest.mark.parametrize(("document", "message"), [
    ({"extensions": {"queues": {"batchSize": 33}}}, "batchSize must be between 1 and 32"),
    ({"extensions": {"queues": {"maxDequeueCount": 0}}}, "maxDequeueCount must be at least 1"),
    ({"extensions": {"queues": {"messageEncoding": "none"}}}, "messageEncoding: the local host reads base64 only"),
    ({"extensions": {"queues": {"maxPollingInterval": "00:00:00.050"}}}, "maxPollingInterval must be at least"),
    ({"singleton": {"listenerLockPeriod": "00:02:00"}}, "listenerLockPeriod must be between 00:00:15 and 00:01:00"),
    ({"extensions": {"queues": {"visibilityTimeout": "30s"}}}, "visibilityTimeout must be a time span"),
    ({"logging": {"logLevel": {"default": "Loud"}}}, "unknown log level 'Loud'")])
def test_invalid_host_json_is_refused_with_the_reason(document, message):
    with pytest.raises(HostError, match=message):
        HostConfig.from_dict(document)


def test_a_missing_host_json_means_defaults(tmp_path):
    assert HostConfig.load(tmp_path / "host.json") == HostConfig()


def test_local_settings_values_port_and_environment_precedence(tmp_path):
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Host": {"LocalHttpPort": 7072},
                                "Values": {"A": "file", "B": "file", "COUNT": 3, "FLAG": True}}))
    local = LocalSettings.read(path)
    assert local.http_port == 7072
    assert local.merged_with({"A": "env"}) == {"A": "env", "B": "file", "COUNT": "3", "FLAG": "true"}
    environment = {"A": "env"}
    export(local.merged_with(environment), environment)
    assert environment["A"] == "env" and environment["B"] == "file"


def test_local_settings_errors(tmp_path):
    assert LocalSettings.read(tmp_path / "absent.json") == LocalSettings()
    with pytest.raises(HostError, match="does not exist"):
        LocalSettings.read(tmp_path / "absent.json", required=True)
    encrypted = tmp_path / "encrypted.json"
    encrypted.write_text('{"IsEncrypted": true, "Values": {}}')
    with pytest.raises(HostError, match="encrypted settings are not supported"):
        LocalSettings.read(encrypted)


def test_references_are_resolved_anywhere_in_a_field():
    assert resolve("%PREFIX%-jobs-%ENV%", {"PREFIX": "rsr", "ENV": "dev"}, where="x") == "rsr-jobs-dev"
    with pytest.raises(HostError, match=r"queueName refers to the setting '%MISSING%', which is not set"):
        resolve("%MISSING%", {}, where="queueName")


@pytest.fixture
def restored_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("Function.worker", "azure.core.pipeline.policies.http_logging_policy"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_log_levels_apply_per_category_and_lines_look_like_the_hosts(restored_logging, capsys):
    logs.configure({"default": logging.WARNING, "Function.worker": logging.DEBUG})
    assert logging.getLogger().level == logging.WARNING
    assert logging.getLogger("Function.worker").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("azure.core.pipeline.policies.http_logging_policy").level == logging.WARNING
    logging.getLogger("Function.worker").debug("Executing 'Functions.worker'")
    logging.getLogger("elsewhere").info("hidden")
    logging.getLogger("elsewhere").error("shown")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[") and lines[0].endswith("Z] Executing 'Functions.worker'")
    assert lines[1].endswith("Z] ERROR: shown")
