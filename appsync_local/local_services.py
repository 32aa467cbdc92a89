"""What runs beside the API locally: the event sources, the mail collector, and their pages (CDN, inbox)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import BaseRoute

from appdef import AppConfig

from .cdn import cdn_routes
from .events import EventEngine
from .events.async_invoke import RETRY_DELAYS_SECONDS
from .invocations.page import invocation_routes
from .local_aws import LocalAws
from .local_aws.endpoints import client
from .mail import MailCollector, inbox_routes
from .runtime import Runtime

MAIL_DIR = "mail"


@dataclass
class LocalServices:
    """The running event engine and mail collector, and the routes the HTTP app serves for them."""

    events: EventEngine
    mail: MailCollector
    routes: Sequence[BaseRoute]


def local_routes(config: AppConfig, runtime: Runtime, aws: LocalAws, data_dir: Path) -> list[BaseRoute]:
    """The local CDN, the inbox page and the invocations page."""
    s3 = client(aws.session(), "s3", aws.endpoints.s3)
    return [
        *cdn_routes(config, s3),
        *inbox_routes(data_dir / MAIL_DIR),
        *invocation_routes(runtime.observer.log),
    ]


@contextlib.contextmanager
def running_local_services(
    config: AppConfig,
    runtime: Runtime,
    aws: LocalAws,
    data_dir: Path,
    *,
    persistent: bool = True,
    async_retry_delays: Sequence[int] = RETRY_DELAYS_SECONDS,
) -> Iterator[LocalServices]:
    """Collect mail and deliver events while the block runs; stop both (deliveries under way finish first)."""
    with contextlib.ExitStack() as stack:
        mail = stack.enter_context(MailCollector(data_dir / MAIL_DIR, config.api.region))
        events = stack.enter_context(
            EventEngine(
                config,
                runtime.functions,
                aws.session(),
                aws.endpoints,
                data_dir if persistent else None,
                async_retry_delays=async_retry_delays,
            )
        )
        yield LocalServices(events, mail, local_routes(config, runtime, aws, data_dir))
