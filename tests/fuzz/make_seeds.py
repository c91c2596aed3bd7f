#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are committed; run this again after changing it (or the files it copies) and commit
what changes. Each seed is named after the SHA-1 of its bytes, as libFuzzer names what it finds.
Input formats are those of the targets (tests/fuzz/*.cc): a leading selector byte where a target
takes one, and replies separated by 0x1E whose first byte picks the HTTP status (0 = 200).
"""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
RS = b"\x1e"
OK = b"\x00"  # the status selector of a 200 reply


def write(target, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def csv_seeds():
    files = [
        b"id,name\n1,a\n2,b\n",
        b"\xef\xbb\xbfid,name\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n",
        b"a,b,c\n1,\"line\nbreak\",3\n\n4,5\n6,7,8,9\n",
        b"a;b\n\"unterminated;x\n",
        b"h1,h2\n1,b\"ad\n\"ok\"x,2\nbad \xff utf8,3\nlone\rcr,4",
        b"a\n" + b"x" * 5000 + b"\n1\n",
        b"a,a\n1,2\n",
        b"\n\n\r\nh\n1",
    ]
    for i, text in enumerate(files):
        write("fuzz_csv_reader", bytes([i * 7 % 64, i % 4]) + text)


def job_seeds():
    for path in sorted((ROOT / "jobs").glob("*.yaml")):
        write("fuzz_job_file", path.read_bytes())
    for path in sorted((ROOT / "tests" / "data").rglob("*.yaml")):
        write("fuzz_job_file", path.read_bytes())
    write("fuzz_job_file", b"name: j\ndatabase: sqlite://x.db\nparams:\n  a: &a [x, y]\n"
                           b"steps:\n  - &s {name: s, task: {plugin: t, with: {list: *a, "
                           b"map: {k: v}, number: '${param:n}', path: '${env:HOME}'}}}\n")


def icp_seeds():
    shipped = (ROOT / "config" / "icp.yaml").read_bytes()
    write("fuzz_icp_config", shipped)
    write("fuzz_icp_config", shipped.replace(b"max_days: 7", b"max_days: 2"))
    write("fuzz_icp_config", shipped.replace(b"agent3@example.com", b"Agent Three"))
    write("fuzz_icp_config", b"call_center_agents: [a@x, b@y.z]\nscoring: &s {intent: *s}\n")


def page(records, more):
    return json.dumps({"data": records, "info": {"count": len(records), "more_records": more,
                                                 "next_page_token": "tok" if more else None}})


RECORDS = [
    {"id": "4150868000000224005", "Company": "Acme", "Lead_Source": "VanillaSoft",
     "Owner": {"id": "1", "name": "Ann"}, "Modified_Time": "2026-02-11T09:30:00-05:00"},
    {"id": "4150868000000224011", "Company": "B\\\"co", "Lead_Source": None,
     "Owner": None, "Modified_Time": "2026-02-11T14:31:00+00:00"},
]
TOKEN = json.dumps({"access_token": "1000.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb",
                    "api_domain": "http://127.0.0.1:9", "token_type": "Bearer",
                    "expires_in": 3600})


def zoho_seeds():
    for selector, reply in enumerate([page(RECORDS, True), page(RECORDS, False), page([], False),
                                      '{"data":[{"id":"1","Modified_Time":"x"}],"info":{}}']):
        write("fuzz_zoho_page_hint", bytes([selector]) + reply.encode())
    write("fuzz_zoho_page_hint", b"\x00" + b'{"v":1,"after":{"modified":"2026-02-11T00:00:00Z",'
                                          b'"id":"7"}}')
    replies = {
        "coql_two_pages": [TOKEN, page(RECORDS, True), page(RECORDS[1:], False)],
        "records_page": [TOKEN, page(RECORDS, False)],
        "garbled_token": [TOKEN[: len(TOKEN) // 2], TOKEN, page(RECORDS, False)],
        "token_refused": ['{"error":"invalid_client"}'],
        "error_echo": [TOKEN, '{"code":"INVALID_REQUEST","details":{"h":"Zoho-oauthtoken 1"},'
                              '"message":"bad","status":"error"}'],
    }
    statuses = {"error_echo": [0, 6]}  # 6 selects 400
    for name, bodies in replies.items():
        selectors = statuses.get(name, [0] * len(bodies))
        parts = [bytes([s]) + b.encode() for s, b in zip(selectors, bodies)]
        for first in (b"\x00", b"\x01"):  # coql, records
            write("fuzz_zoho_replies", first + RS.join(parts))


def hrana_seeds():
    execute = {"baton": None, "base_url": None, "results": [
        {"type": "ok", "response": {"type": "execute", "result": {
            "cols": [{"name": "a", "decltype": "TEXT"}, {"name": "b", "decltype": None}],
            "rows": [[{"type": "text", "value": "x"}, {"type": "integer", "value": "42"}],
                     [{"type": "float", "value": 2.5}, {"type": "blob", "base64": "AP8"}],
                     [{"type": "null"}, {"type": "float", "value": None}]],
            "affected_row_count": 0, "last_insert_rowid": None}}},
        {"type": "ok", "response": {"type": "close"}}]}
    batch = {"baton": None, "base_url": None, "results": [
        {"type": "ok", "response": {"type": "batch", "result": {
            "step_results": [{"cols": [], "rows": [], "affected_row_count": 1}] * 7,
            "step_errors": [None] * 7}}},
        {"type": "ok", "response": {"type": "close"}}]}
    failed = json.loads(json.dumps(batch))
    failed["results"][0]["response"]["result"]["step_errors"][3] = {
        "message": "UNIQUE constraint failed", "code": "SQLITE_CONSTRAINT"}
    refused = {"baton": None, "results": [{"type": "error", "error": {
        "message": "SQL_PARSE_ERROR", "code": "SQL_PARSE_ERROR"}}]}
    for replies in ([execute, batch, batch, execute], [execute, failed, batch, execute],
                    [refused, refused]):
        write("fuzz_hrana_reply", RS.join(OK + json.dumps(r).encode() for r in replies))
    write("fuzz_hrana_reply", b"\x08" + b'{"error":"Unauthorized"}' + RS + b"\x0b")


if __name__ == "__main__":
    csv_seeds()
    job_seeds()
    icp_seeds()
    zoho_seeds()
    hrana_seeds()
