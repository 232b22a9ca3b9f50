"""The restricted-sender responder's domain: settings, errors, models, the playbook, gateways."""
