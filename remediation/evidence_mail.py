"""The evidence (remediation/evidence.py) as the summary mail's lines: plain text, escaped by the mail."""

from __future__ import annotations

from remediation.tenant_activity import LEGACY_CLIENTS


def _counted(items: list[dict], key: str) -> str:
    return ", ".join(f"{item[key]} ({item['count']})" for item in items) or "none"


def sent_lines(sent: dict) -> list[str]:
    if not sent.get("available"):
        return [f"What was sent: {sent.get('reason')}"]
    cut = (f" (cut at the first {sent['limit']:,} trace rows: there were more)" if sent.get("cut") else "")
    lines = [f"What was sent from {sent['from']} to {sent['to']}: {sent['messages']} messages to "
             f"{sent['recipients']} distinct recipients{cut}; first {sent['first'] or '-'}, last {sent['last'] or '-'}"
             + (f"; the block's MessagetraceId {sent['messageTraceId']}" if sent.get("messageTraceId") else ""),
             f"Top recipient domains: {_counted(sent['topRecipientDomains'], 'domain')}"]
    if sent.get("topSubjects") is not None:
        lines.append(f"Most frequent subjects: {_counted(sent['topSubjects'], 'subject')}")
    return lines


def sign_in_lines(sign_ins: dict) -> list[str]:
    if not sign_ins.get("available"):
        return [f"Where the attacker signed in: {sign_ins.get('reason')}"]
    lines = [f"Sign-ins since {sign_ins['from']}: {sign_ins['signIns']}; first {sign_ins['first'] or '-'}, "
             f"last {sign_ins['last'] or '-'}"]
    lines += [f"IP {ip['ip']} ({ip['city'] or '?'}, {ip['country'] or '?'}): {ip['count']} sign-ins, "
              f"{ip['firstSeen']} to {ip['lastSeen']}" for ip in sign_ins["ips"]]
    apps = ", ".join(f"{app['app']} ({app['count']}){' LEGACY' if app['legacy'] else ''}"
                     for app in sign_ins["clientApps"])
    lines.append(f"Client apps: {apps or 'none'} (legacy: {', '.join(LEGACY_CLIENTS)})")
    if sign_ins["newCountries"]:
        lines.append(f"Countries not seen in the 30 days before: {', '.join(sign_ins['newCountries'])}")
    return lines


def evidence_lines(evidence: dict | None) -> list[str]:
    if not evidence:
        return []
    if evidence.get("error"):
        return [f"Evidence not collected: {evidence['error']}"]
    return sent_lines(evidence["sent"]) + sign_in_lines(evidence["signIns"])
