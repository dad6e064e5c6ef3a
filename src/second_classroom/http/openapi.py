"""The contract: OpenAPI 3.1 built from the library's JSON Schemas (schema.py is the one
source of truth for commands, events, states, results and errors), and a small static /docs
page that reads it (no CDN: it works offline)."""

from __future__ import annotations

from typing import Any

from second_classroom import codec, schema
from second_classroom.core.errors import Category
from second_classroom.core.version import VERSION
from second_classroom.http.answers import ANSWERS
from second_classroom.http.reads import REPORT_TYPES
from second_classroom.http.refusals import STATUS
from second_classroom.policies.rulebook import Rulebook

_ERROR = {"$ref": "#/components/schemas/DomainError"}
_REFUSALS = {
    str(status): {
        "description": f"refused: category {category.value}",
        "content": {"application/json": {"schema": _ERROR}},
    }
    for category, status in STATUS.items()
}
_REFUSALS["401"] = {
    "description": "no valid bearer token (http.unauthenticated)",
    "content": {"application/json": {"schema": _ERROR}},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(row: str) -> dict[str, str]:
    """A paged read's answer: the ``Page`` of ``row`` (``schema.page_schema``)."""
    return _ref(f"{row}Page")


def _json(schema_: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema_}}}


def _param(name: str, where: str = "query", kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": kind}}


def _paged(*names: str) -> list[dict[str, Any]]:
    return [*(_param(n) for n in names), _param("limit", kind="integer"), _param("cursor")]


def _get(
    summary: str, result: dict[str, Any], parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": _json(result), **_REFUSALS},
        }
    }


def _items(name: str) -> dict[str, Any]:
    """A listing answered whole: ``{"items": [...]}``, each item a ``name`` by its own schema
    (``reads.answer`` writes a list so, and nothing else beside it)."""
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref(name)}},
        "required": ["items"],
        "additionalProperties": False,
    }


# What each of the 学院月报's files holds (``reads.REPORT_TYPES`` gives its media type).
_REPORT_FILES = {
    "csv": "format=csv: the whole month, UTF-8 with a BOM (for Excel)",
    "xlsx": "format=xlsx: the whole month, an xlsx workbook of its rows",
}


def _report() -> dict[str, Any]:
    """学院月报: a page of JSON rows, or the whole month as a CSV or xlsx attachment."""
    files = {
        media: {"schema": {"type": "string", "contentMediaType": media.split(";")[0]}}
        for media in REPORT_TYPES.values()
    }
    operation = _get(
        "学院月报 (format=json: a page of rows; csv or xlsx: the month as a file)",
        _page("MonthlyRow"),
        [
            _param("month", "path"),
            *_paged("college"),
            {
                **_param("format"),
                "schema": {"type": "string", "enum": ["json", *REPORT_TYPES], "default": "json"},
            },
        ],
    )
    ok = operation["get"]["responses"]["200"]
    ok["content"].update(files)
    ok["description"] = "OK; a file is sent as an attachment (Content-Disposition): " + "; ".join(
        _REPORT_FILES[kind] for kind in REPORT_TYPES
    )
    return operation


def _component(name: str, found: dict[str, Any]) -> dict[str, Any]:
    """The library's schema ``name`` as a component any OpenAPI 3.1 tool resolves: without
    its ``$id`` and ``$schema`` (the document's ``jsonSchemaDialect`` says the dialect), so
    every ``$ref`` is a pointer into the document — its own ``#/$defs/…`` under
    ``#/components/schemas/<name>``, another schema's ``urn:second-classroom:<kind>:<Name>``
    the component ``<Name>``. (Tools that resolve a ``$ref`` against the document, not the
    component's ``$id``, found neither: a generated request had no body.)"""

    def pointed(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: _pointer(name, inner) if key == "$ref" else pointed(inner)
                for key, inner in value.items()
            }
        if isinstance(value, list):
            return [pointed(inner) for inner in value]
        return value

    component: dict[str, Any] = pointed(found)
    component.pop("$id", None)
    component.pop("$schema", None)
    return component


def _pointer(name: str, ref: str) -> str:
    if ref.startswith("#/$defs/"):
        return f"#/components/schemas/{name}/{ref[2:]}"
    if ref.startswith(schema.ID_PREFIX):
        return f"#/components/schemas/{ref.rsplit(':', 1)[1]}"
    return ref  # already a pointer into the document


def openapi(rulebook: Rulebook | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document: the library's JSON Schemas as its components, each ``$ref``
    a pointer into the document (``_component``). Each JSON ``GET`` answers a named
    component, or a listing's ``{"items": [...]}`` of one."""
    found = schema.schemas(rulebook)
    for cls in ANSWERS:  # the service's own answers beside the library's
        if cls.__name__ in found:
            raise ValueError(f"two schemas named {cls.__name__}")
        found[cls.__name__] = schema.answer_schema(cls)
    components = {name: _component(name, body) for name, body in found.items()}
    commands = [_ref(name) for name in codec.registry.names("command")]
    number = [_param("number", "path")]
    activity = [_param("activity_id", "path")]
    as_of = {**_param("as_of"), "schema": {"type": "string", "format": "date-time"}}
    paths: dict[str, Any] = {
        "/api/commands": {
            "post": {
                "summary": "Run a command as the caller",
                "description": "An Idempotency-Key header makes a retry return the first reply.",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"oneOf": commands}}},
                },
                "responses": {"200": _json(_ref("Outcome"), "the stored events"), **_REFUSALS},
            }
        },
        "/api/me": _get("Who the token says is calling", _ref("Caller")),
        "/api/students/{number}": _get(
            "A student record (as_of: as it stood then, ISO 8601 with offset)",
            _ref("StudentRecord"),
            [*number, as_of],
        ),
        "/api/students/{number}/summary": _get(
            "A student's counts and credits", _ref("StudentSummaryRow"), number
        ),
        "/api/students/{number}/activities": _get("我的活动", _items("MyActivity"), number),
        "/api/students/{number}/notices": _get(
            "Notices not yet delivered",
            _items("Notice"),
            [*number, _param("limit", kind="integer")],
        ),
        "/api/students/{number}/notices/stream": {
            "get": {
                "summary": "Server-sent events: the student's notices as they come; a "
                "reconnect's Last-Event-ID resends only the pending notices after it",
                "parameters": [*number, _param("Last-Event-ID", "header")],
                "responses": {
                    "200": {
                        "description": "text/event-stream, one event per notice",
                        "content": {"text/event-stream": {}},
                    },
                    **_REFUSALS,
                },
            }
        },
        "/api/students/{number}/integrity": _get(
            "诚信分 and blacklist (as_of: as they stood then)",
            _ref("IntegrityReport"),
            [*number, as_of],
        ),
        "/api/activities": _get(
            "活动看板", _page("BoardRow"), _paged("college", "host_tribe", "status", "module")
        ),
        "/api/activities/{activity_id}": _get(
            "An activity, for its managers", _ref("Activity"), activity
        ),
        "/api/activities/{activity_id}/phase": _get(
            "The activity's phase", _ref("ActivityPhase"), activity
        ),
        "/api/activities/{activity_id}/roster": _get(
            "名单, for its managers", _page("RosterRow"), [*activity, *_paged("status")]
        ),
        "/api/activities/{activity_id}/checkin/{session}": _get(
            "The organizer's current check-in code",
            _ref("CheckInScreen"),
            [*activity, _param("session", "path", "integer")],
        ),
        "/api/leaderboards/{by}": _get(
            "排行榜 by college, cohort or student",
            _page("LeaderboardRow"),
            [_param("by", "path"), *_paged("module", "college", "credit_type")],
        ),
        "/api/reports/{month}": _report(),
        "/api/reports/{month}/overdue": _get(
            "月报 not submitted by the due day (operators)",
            _items("OverdueReport"),
            [_param("month", "path")],
        ),
        "/api/students/{number}/growth": _get(
            "成长档案: the student's timeline (as_of: ISO 8601 with offset)",
            _ref("GrowthTimeline"),
            [*number, as_of],
        ),
        "/api/activities/overdue-results": _get(
            "Activities past their results deadline, not finalized", _items("OverdueResults")
        ),
        "/api/activities/{activity_id}/enrolments/{number}": _get(
            "One registration", _ref("Enrolment"), [*activity, _param("number", "path")]
        ),
        "/api/activities/{activity_id}/draw": _get(
            "中签制: the commitment and the draw", _ref("DrawRecord"), activity
        ),
        "/api/tribes/{tribe_id}": _get("A tribe", _ref("Tribe"), [_param("tribe_id", "path")]),
        "/api/tribes/{tribe_id}/cadres/{term}": _get(
            "A cadre round for a term",
            _ref("CadreRound"),
            [_param("tribe_id", "path"), _param("term", "path")],
        ),
        "/api/claims/to-review": _get(
            "待我审核: claims at a step the caller may act on", _items("ClaimToReview")
        ),
        "/api/claims/{claim_id}": _get("A 补录 claim", _ref("Claim"), [_param("claim_id", "path")]),
        "/api/practices/{practice_id}": _get(
            "A practice team", _ref("Practice"), [_param("practice_id", "path")]
        ),
        "/api/workload/advisors/{advisor}": _get(
            "指导老师工作量表", _page("AdvisorRow"), [_param("advisor", "path"), *_paged("college")]
        ),
        "/api/workload/organizers": _get(
            "组织者工作量 (operators)", _page("WorkloadRow"), _paged()
        ),
        "/api/graduation/shortfall": _get(
            "毕业要求: students below a credit requirement",
            _items("Shortfall"),
            [_param("college"), _param("cohort", kind="integer")],
        ),
        "/api/audit": _get(
            "审计日志 (operators)", _page("AuditRow"), _paged("stream", "by", "event")
        ),
        "/api/transcripts/{serial}": _get(
            "A signed transcript document", _ref("SignedTranscript"), [_param("serial", "path")]
        ),
        "/api/certificates/{serial}": _get(
            "A signed certificate document (电子证书)",
            _ref("SignedCertificate"),
            [_param("serial", "path")],
        ),
    }
    public: dict[str, Any] = {"security": [], "parameters": []}
    html = {"200": {"description": "a Chinese HTML page", "content": {"text/html": {}}}}
    paths["/verify"] = {
        "get": {
            "summary": "查证入口: the form (serial, or upload of the PDF or JSON)",
            "responses": html,
            **public,
        },
        "post": {
            "summary": "查证 an uploaded transcript PDF or JSON document (rate-limited)",
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"document": {"type": "string", "format": "binary"}},
                        }
                    }
                }
            },
            "responses": {
                **html,
                "400": {"description": "neither a PDF nor a JSON object"},
                "413": {"description": "over the 1 MiB body cap"},
                "429": {"description": "too many requests"},
            },
            **public,
        },
    }
    no_page = {
        "description": "no such page (the path holds a character no route reads: a line break)",
        "content": {"text/html": {}},
    }
    paths["/checkin/{activity_id}/{session}"] = {
        "get": {
            "summary": "签到屏: the organizer's screen of the rotating QR code and password; "
            "a static page that reads /api/activities/{activity_id}/checkin/{session} with the "
            "token given after #token=",
            "responses": {**html, "404": no_page},
            **public,
            "parameters": [*activity, _param("session", "path", "integer")],
        }
    }
    paths["/verify/{serial}"] = {
        "get": {
            "summary": "查证: 有效 / 已撤销 / 已被替代 / 无效 / 被篡改 (rate-limited)",
            "responses": {**html, "404": no_page, "429": {"description": "too many requests"}},
            **public,
            "parameters": [_param("serial", "path")],
        }
    }
    for path, summary, answer, unready in (
        ("/healthz", "alive", "Liveness", None),
        (
            "/readyz",
            "store answers, views not lagging",
            "Readiness",
            {"oneOf": [_ref("Readiness"), _ref("StoreDown")]},
        ),
    ):
        paths[path] = {
            "get": {
                "summary": summary,
                **public,
                "responses": {
                    "200": _json(_ref(answer)),
                    # /healthz answers whenever the process does: it has no 503.
                    **(
                        {"503": _json(unready, "not ready: the views lag, or the store is down")}
                        if unready is not None
                        else {}
                    ),
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": schema.DIALECT,
        "info": {
            "title": "second-classroom",
            "version": VERSION,
            "description": "第二课堂成绩单: commands, reads and the 查证入口. Refusals are "
            "DomainError JSON; the status follows the category: "
            + ", ".join(f"{c.value} {STATUS[c]}" for c in Category)
            + ". This document is served at /openapi.json, and a page that reads it at /docs.",
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


DOCS_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>second-classroom API</title><style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}
code,textarea,pre{font-family:ui-monospace,monospace}textarea{width:100%;height:10rem}
.get{color:#146c2e}.post{color:#1a4fa0}li{margin:.3rem 0}pre{background:#f4f4f4;padding:.5rem;
overflow:auto;max-height:30rem}</style></head><body>
<h1>second-classroom API</h1><p>The contract: <a href="/openapi.json">/openapi.json</a>
(OpenAPI 3.1; schemas from the library's JSON Schemas).</p>
<ul id="paths"></ul>
<h2>Try it</h2>
<p><label>Bearer token <input id="token" size="60"></label></p>
<p><label>GET <input id="path" size="50" value="/api/me"></label>
<button id="get">Send</button></p>
<p>POST /api/commands <select id="command"></select></p>
<textarea id="body">{"type": "Register", "activity_id": "…"}</textarea>
<p><label>Idempotency-Key <input id="key" size="30"></label> <button id="post">Send</button></p>
<pre id="reply"></pre>
<script>
async function show(reply) {
  document.getElementById("reply").textContent = reply.status + "\\n" +
    JSON.stringify(await reply.json().catch(() => "(not JSON)"), null, 2);
}
function headers() {
  const h = {"Content-Type": "application/json"};
  const t = document.getElementById("token").value.trim();
  if (t) h.Authorization = "Bearer " + t;
  const k = document.getElementById("key").value.trim();
  if (k) h["Idempotency-Key"] = k;
  return h;
}
fetch("/openapi.json").then(r => r.json()).then(spec => {
  const list = document.getElementById("paths");
  for (const [path, ops] of Object.entries(spec.paths)) for (const [verb, op] of
      Object.entries(ops)) {
    const li = document.createElement("li");
    li.innerHTML = `<b class="${verb}">${verb.toUpperCase()}</b> <code></code> `;
    li.querySelector("code").textContent = path; li.append(op.summary || "");
    list.append(li);
  }
  const select = document.getElementById("command");
  for (const ref of spec.paths["/api/commands"].post.requestBody.content[
      "application/json"].schema.oneOf) {
    const name = ref.$ref.split("/").pop(); const o = document.createElement("option");
    o.textContent = name; select.append(o);
  }
  select.onchange = () => {
    const s = spec.components.schemas[select.value]; const example = {type: select.value};
    for (const f of s.required || []) if (f !== "type") example[f] = null;
    document.getElementById("body").value = JSON.stringify(example, null, 2);
  };
});
document.getElementById("get").onclick = async () => show(await fetch(
  document.getElementById("path").value, {headers: headers()}));
document.getElementById("post").onclick = async () => show(await fetch("/api/commands",
  {method: "POST", headers: headers(), body: document.getElementById("body").value}));
</script></body></html>"""
