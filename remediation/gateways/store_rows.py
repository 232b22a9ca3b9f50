"""A job as a table row: a few columns to filter on, and the job JSON in chunks.

A string property holds at most 64 KiB of UTF-16, i.e. 32 K characters. The JSON is
written ASCII-only (json's default escapes the rest), so one character is one UTF-16
unit and the chunks below are always small enough; the whole row must stay under 1 MiB.
"""

from __future__ import annotations

import json

from azure.data.tables import TableEntity

from remediation.gateways.store_keys import JOB, escape_key
from remediation.models import Job, normalize_user

CHUNK_CHARACTERS = 32_000


def job_row(job: Job) -> dict:
    text = json.dumps(job.to_json(), separators=(",", ":"), ensure_ascii=True)
    chunks = [text[start:start + CHUNK_CHARACTERS] for start in range(0, len(text), CHUNK_CHARACTERS)]
    row: dict = {"PartitionKey": JOB, "RowKey": escape_key(job.id), "User": normalize_user(job.user),
                 "Status": job.status, "CreatedAt": job.createdAt, "UpdatedAt": job.updatedAt,
                 "JsonChunks": len(chunks)}
    row.update({f"Json{index}": chunk for index, chunk in enumerate(chunks)})
    return row


def job_from_row(row: TableEntity) -> Job:
    text = "".join(row[f"Json{index}"] for index in range(row["JsonChunks"]))
    return Job.from_json(json.loads(text), etag=row.metadata["etag"])
