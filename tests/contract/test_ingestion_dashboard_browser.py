"""The ingestion dashboard (`/_local/ingestion`, a page of the blog's site): a person watches results arrive live,
signs in, and sees the stored reports, each with its CSV to download."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from appsync_local.local_aws import LocalAws
from appsync_local.local_aws.endpoints import client
from subscriptions.publisher import PUBLISH  # the pipeline's own selection: every field subscribers ask for
from tests.contract.clients import iam_client, run_async
from tests.fixtures.live_server import LiveServer


@pytest.fixture
def tab(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, errors
    finally:
        page.close()


def stored_report(local_aws: LocalAws, source: str) -> str:
    """A batch report as the report function leaves it: its CSV in the reports bucket and its record."""
    batch = str(uuid.uuid4())
    key = f"reports/batches/2026/12/02/01/{batch}.csv"
    session = local_aws.session()
    csv = f'"source","type","accepted"\n"{source}","reading","7"\n'
    client(session, "s3", local_aws.endpoints.s3).put_object(
        Bucket="ingest-reports", Key=key, Body=csv.encode()
    )
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    report_id = f"batch:{batch}:{source}"
    item = {
        "id": report_id, "kind": "BATCH", "source": source, "kindSource": f"BATCH#{source}", "batchId": batch,
        "status": "PARTIAL", "recordCount": 10, "accepted": 7, "duplicates": 2, "dropped": 1, "failed": 0,
        "summary": json.dumps({"rows": []}), "location": f"s3://ingest-reports/{key}", "createdAt": now,
    }  # fmt: skip
    client(session, "dynamodb", local_aws.endpoints.dynamodb).put_item(
        TableName="IngestionReports",
        Item={k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in item.items()},
    )
    return report_id


@pytest.mark.browser
def test_results_arrive_live_and_signed_in_reports_offer_their_csv(
    live_server: LiveServer, local_aws: LocalAws, tab: tuple[Any, list[str]]
) -> None:
    page, errors = tab
    # GIVEN the dashboard open from its local shortcut, live
    page.goto(f"{live_server.base_url}/_local/ingestion")
    assert page.url == f"{live_server.base_url}/_cdn/blog-site/ingestion.html"
    page.wait_for_selector('#live[data-state="live"]', state="attached", timeout=15_000)
    # WHEN the pipeline publishes a batch's result
    source = f"sensors-{uuid.uuid4().hex[:6]}"
    iam = live_server.iam
    publisher = iam_client(live_server.url, live_server.host, iam.access_key_id, iam.secret_access_key)
    result = {
        "source": source, "batchId": str(uuid.uuid4()), "recordCount": 12, "status": "PARTIAL",
        "accepted": 8, "duplicates": 3, "dropped": 1, "failed": 0,
    }  # fmt: skip
    with ThreadPoolExecutor(1) as thread:  # gql's IAM transport is async; Playwright owns this thread's loop
        thread.submit(asyncio.run, run_async(publisher, PUBLISH, input=result)).result()
    # THEN its row appears without a reload, and the chart draws the source's bar
    row = page.locator(f'tr[data-source="{source}"]')
    row.wait_for(timeout=15_000)
    assert row.inner_text().split("\t")[1:7] == [source, "PARTIAL", "8", "3", "1", "0"]
    bars = page.locator(f'#bars g[data-source="{source}"] rect')
    assert {bars.nth(i).get_attribute("data-kind"): bars.nth(i).get_attribute("data-count") for i in range(3)} == {
        "accepted": "8", "duplicates": "3", "dropped": "1",
    }  # fmt: skip
    # WHEN a signed-in person opens the stored reports
    stored_source = f"orders-{uuid.uuid4().hex[:6]}"
    report_id = stored_report(local_aws, stored_source)
    page.fill("#username", "carol")
    page.fill("#password", "Passw0rd!")
    page.click("#sign-in button[type=submit]")
    stored = page.locator(f'tr[data-report="{report_id}"]')
    stored.wait_for(timeout=15_000)
    # THEN the report is listed with its figures and a link to its CSV, which downloads
    assert stored.inner_text().split("\t")[1:7] == [stored_source, "PARTIAL", "7", "2", "1", "0"]
    link = stored.locator("a", has_text="download").get_attribute("href")
    assert link is not None
    assert httpx.get(link, timeout=10).text.splitlines()[1] == f'"{stored_source}","reading","7"'
    assert errors == []
