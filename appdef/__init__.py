"""The app definition: `appsync.toml` parsed once into typed, frozen objects, with a strict schema.

The local runtime (`appsync_local`), the CDK app (`infra/`) and the tests all read the app through this
package. Unknown keys, wrong types and impossible combinations are refused with the file, the line, the key
path and what is allowed. `appdef/appsync.schema.json` is the same schema for editors.
"""

from __future__ import annotations

from .analytics import AnalyticsConfig, AnalyticsTable, DateProjection
from .api import AUTH_MODES, ApiConfig, CacheConfig, WafConfig
from .app import AppConfig
from .auth import AuthConfig, CognitoConfig, LambdaAuthorizerConfig, OidcConfig
from .delivery_streams import DeliveryStreamConfig
from .events import EmailConfig, QueueConfig, StreamConfig
from .functions import FunctionConfig
from .loading import ConfigError, load_config, parse_config
from .local import LocalConfig, LocalUser
from .resources import (
    BucketConfig,
    DataSourceConfig,
    IndexConfig,
    KeyAttribute,
    PipelineConfig,
    TableConfig,
)

__all__ = [
    "AUTH_MODES",
    "AnalyticsConfig",
    "AnalyticsTable",
    "ApiConfig",
    "AppConfig",
    "AuthConfig",
    "BucketConfig",
    "CacheConfig",
    "CognitoConfig",
    "ConfigError",
    "DataSourceConfig",
    "DateProjection",
    "DeliveryStreamConfig",
    "EmailConfig",
    "FunctionConfig",
    "IndexConfig",
    "KeyAttribute",
    "LambdaAuthorizerConfig",
    "LocalConfig",
    "LocalUser",
    "OidcConfig",
    "PipelineConfig",
    "QueueConfig",
    "StreamConfig",
    "TableConfig",
    "WafConfig",
    "load_config",
    "parse_config",
]
