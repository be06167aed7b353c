"""Jira's and Linear's issue-updated deliveries, written from their documentation (Jira Cloud platform
"Webhooks": `jira:issue_updated` with the issue and a changelog; Linear "Webhooks": an `Issue` `update`
with `data`, `updatedFrom`, `webhookId`, `webhookTimestamp`)."""

from __future__ import annotations

import copy
from typing import Any

JIRA_DONE: dict[str, Any] = {
    "timestamp": 1763395200000,
    "webhookEvent": "jira:issue_updated",
    "issue_event_type_name": "issue_generic",
    "user": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Dev One", "active": True},
    "issue": {
        "id": "10002",
        "self": "https://acme.atlassian.net/rest/api/2/10002",
        "key": "PAY-123",
        "fields": {
            "summary": "Checkout fails with error 500",
            "status": {
                "self": "https://acme.atlassian.net/rest/api/2/status/10001",
                "name": "Done",
                "id": "10001",
                "statusCategory": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
            },
            "resolution": {"id": "10000", "name": "Done"},
            "fixVersions": [{"id": "10100", "name": "2.4.1", "released": True}],
        },
    },
    "changelog": {
        "id": "10010",
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "from": "3",
                "fromString": "In Progress",
                "to": "10001",
                "toString": "Done",
            },
            {
                "field": "resolution",
                "fieldtype": "jira",
                "from": None,
                "fromString": None,
                "to": "10000",
                "toString": "Done",
            },
        ],
    },
}


def jira_reopened() -> dict[str, Any]:
    payload = copy.deepcopy(JIRA_DONE)
    payload["issue"]["fields"]["status"] = {
        "name": "Reopened",
        "id": "4",
        "statusCategory": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    }
    payload["issue"]["fields"]["resolution"] = None
    payload["changelog"]["items"] = [
        {
            "field": "status",
            "fieldtype": "jira",
            "from": "10001",
            "fromString": "Done",
            "to": "4",
            "toString": "Reopened",
        },
        {
            "field": "resolution",
            "fieldtype": "jira",
            "from": "10000",
            "fromString": "Done",
            "to": None,
            "toString": None,
        },
    ]
    return payload


LINEAR_DONE: dict[str, Any] = {
    "action": "update",
    "type": "Issue",
    "createdAt": "2026-11-17T16:00:00.000Z",
    "actor": {"id": "2e6eea91-1111-4f04-a2a1-6c5e8f1e7b6c", "type": "user", "name": "Dev One"},
    "data": {
        "id": "ee3d6b37-2222-4c5d-9d30-9c4a0f0d6a11",
        "identifier": "ENG-42",
        "number": 42,
        "title": "Checkout fails with error 500",
        "url": "https://linear.app/acme/issue/ENG-42/checkout-fails-with-error-500",
        "completedAt": "2026-11-17T16:00:00.000Z",
        "state": {
            "id": "7c2c8a1e-3333-4b5e-8f1a-2d6b1f4e9a77",
            "name": "Done",
            "type": "completed",
            "color": "#5e6ad2",
        },
        "team": {"id": "a1b2c3d4-4444-4e5f-8a9b-0c1d2e3f4a5b", "key": "ENG", "name": "Engineering"},
    },
    "updatedFrom": {
        "updatedAt": "2026-11-16T10:00:00.000Z",
        "stateId": "0f9e8d7c-5555-4b3a-9c8d-7e6f5a4b3c2d",
        "completedAt": None,
    },
    "url": "https://linear.app/acme/issue/ENG-42/checkout-fails-with-error-500",
    "organizationId": "9a8b7c6d-6666-4e5f-8a9b-0c1d2e3f4a5b",
    "webhookTimestamp": 1763395200123,
    "webhookId": "0d1e2f3a-7777-4b5c-8d9e-0f1a2b3c4d5e",
}


def linear_cancelled() -> dict[str, Any]:
    payload = copy.deepcopy(LINEAR_DONE)
    payload["data"]["state"] = {"id": "x", "name": "Canceled", "type": "canceled", "color": "#95a2b3"}
    payload["data"]["completedAt"] = None
    return payload
