"""What runs beside the API locally: the event sources, the mail collector, the CDN, and their pages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import BaseRoute

from appdef import AppConfig

from .auth import IamCredentials
from .cdn import LocalCdn, signing_keys
from .cdn.content import SiteConfigs, sync_content
from .events import EventEngine
from .events.async_invoke import RETRY_DELAYS_SECONDS
from .invocations.page import invocation_routes
from .local_aws import LocalAws
from .local_aws.endpoints import client
from .local_aws.provision_secrets import provision_secrets
from .local_aws.s3_gate import SigningKey
from .mail import MailCollector, inbox_routes
from .runtime import Runtime

MAIL_DIR = "mail"


@dataclass
class LocalServices:
    """The running event engine, mail collector and CDN, and the routes the HTTP app serves for them."""

    events: EventEngine
    mail: MailCollector
    cdn: LocalCdn
    routes: Sequence[BaseRoute]


def start_cdn(config: AppConfig, runtime: Runtime, aws: LocalAws, data_dir: Path) -> LocalCdn:
    """The local CDN: signing keys in the local Secrets Manager, sites synced from their folders."""
    session = aws.session()
    keys = signing_keys(config, data_dir)
    provision_secrets(
        client(session, "secretsmanager", aws.endpoints.moto),
        {key.secret: key.private_pem() for key in keys.values()},
        description="The private key CloudFront signed URLs are made with (local)",
    )
    s3 = client(session, "s3", aws.endpoints.s3)
    sync_content(config, s3, runtime.references)
    return LocalCdn(config, s3, keys, site_configs=SiteConfigs(config, s3, runtime.references))


def runtime_keys(runtime: Runtime, data_dir: Path) -> list[SigningKey]:
    """The keys the runtime's code signs AWS calls with: each function's role, and the local IAM user."""
    keys: list[SigningKey] = [f.role for f in runtime.functions.values() if f.role is not None]
    if runtime.sigv4 is not None:
        keys.append(IamCredentials.load_or_create(data_dir))
    return keys


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
    aws.trust(*runtime_keys(runtime, data_dir))
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
                queue_urls=aws.queue_urls,
            )
        )
        cdn = start_cdn(config, runtime, aws, data_dir)
        routes = [*cdn.routes(), *inbox_routes(data_dir / MAIL_DIR), *invocation_routes(runtime.observer.log)]
        yield LocalServices(events, mail, cdn, routes)
