"""`[analytics]` on AWS: a Glue database, one Glue table per `[analytics.tables]` entry, an Athena workgroup.

Each table is an EXTERNAL_TABLE over newline-delimited JSON (OpenX JsonSerDe) whose partitions Athena projects
from the keys (`projection.*`, `storage.location.template`): no crawler, no MSCK REPAIR. The workgroup enforces
its result location (`s3://<results_bucket>/<results_prefix>`) and runs Athena's current engine. The database and
workgroup keep their `appsync.toml` names, so the SQL files (`FROM ingestion.events`) run unchanged.

A function naming `${athena:<workgroup>}` may run queries in the workgroup, read the catalog and the tables' objects
and write results; `${glue:<database>}` lets it read the catalog and the tables' objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from appdef import AnalyticsConfig, AnalyticsTable
from appdef.analytics import PARTITION_COLUMN_TYPE

JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
QUERY_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
)
CATALOG_ACTIONS = ("glue:GetDatabase", "glue:GetTable", "glue:GetPartitions")


@dataclass(frozen=True)
class Analytics:
    """The deployed `[analytics]`: what a function's grants name."""

    config: AnalyticsConfig
    database: glue.CfnDatabase
    tables: Mapping[str, glue.CfnTable]
    workgroup: athena.CfnWorkGroup
    buckets: Mapping[str, s3.IBucket]

    def grant_queries(self, grantee: iam.IGrantable) -> None:
        """Run queries in the workgroup: Athena's calls, the catalog, the tables' objects, the results."""
        stack = Stack.of(self.workgroup)
        workgroup_arn = stack.format_arn(
            service="athena", resource="workgroup", resource_name=self.config.workgroup
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(QUERY_ACTIONS), resources=[workgroup_arn])
        )
        self.grant_catalog_read(grantee)
        self.buckets[self.config.results_bucket].grant_read_write(grantee, f"{self.config.results_prefix}*")

    def grant_catalog_read(self, grantee: iam.IGrantable) -> None:
        """Read the database's tables and the objects under their prefixes."""
        stack = Stack.of(self.database)
        database = self.config.database
        resources = [
            stack.format_arn(service="glue", resource="catalog"),
            stack.format_arn(service="glue", resource="database", resource_name=database),
            *(
                stack.format_arn(service="glue", resource="table", resource_name=f"{database}/{name}")
                for name in self.config.tables
            ),
        ]
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(CATALOG_ACTIONS), resources=resources)
        )
        for table in self.config.tables.values():
            self.buckets[table.bucket].grant_read(grantee, f"{table.prefix}*")


def build_analytics(
    scope: Construct, config: AnalyticsConfig, buckets: Mapping[str, s3.IBucket]
) -> Analytics:
    """The Glue database and tables and the Athena workgroup of `[analytics]`."""
    account = Stack.of(scope).account
    database = glue.CfnDatabase(
        scope,
        "AnalyticsDatabase",
        catalog_id=account,
        database_input=glue.CfnDatabase.DatabaseInputProperty(
            name=config.database, description="Tables of appsync.toml's [analytics]"
        ),
    )
    tables: dict[str, glue.CfnTable] = {}
    for table in config.tables.values():
        built = glue.CfnTable(
            scope,
            f"AnalyticsTable{_pascal(table.name)}",
            catalog_id=account,
            database_name=config.database,
            table_input=_table_input(table, buckets[table.bucket]),
        )
        built.add_dependency(database)
        tables[table.name] = built
    results = buckets[config.results_bucket]
    workgroup = athena.CfnWorkGroup(
        scope,
        "AnalyticsWorkGroup",
        name=config.workgroup,
        description="Queries of appsync.toml's [analytics]",
        recursive_delete_option=True,
        state="ENABLED",
        work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
            enforce_work_group_configuration=True,
            publish_cloud_watch_metrics_enabled=True,
            engine_version=athena.CfnWorkGroup.EngineVersionProperty(selected_engine_version="AUTO"),
            result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                output_location=f"s3://{results.bucket_name}/{config.results_prefix}",
                encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                    encryption_option="SSE_S3"
                ),
            ),
        ),
    )
    return Analytics(config=config, database=database, tables=tables, workgroup=workgroup, buckets=buckets)


def _table_input(table: AnalyticsTable, bucket: s3.IBucket) -> glue.CfnTable.TableInputProperty:
    location = f"s3://{bucket.bucket_name}/{table.prefix}"
    parameters = {"EXTERNAL": "TRUE", "classification": table.format}
    partition_keys = []
    if table.partition is not None:
        name = table.partition.name
        partition_keys.append(glue.CfnTable.ColumnProperty(name=name, type=PARTITION_COLUMN_TYPE))
        parameters |= {
            "projection.enabled": "true",
            f"projection.{name}.type": table.partition.type,
            f"projection.{name}.format": table.partition.format,
            f"projection.{name}.range": table.partition.range,
            f"projection.{name}.interval": str(table.partition.interval),
            f"projection.{name}.interval.unit": table.partition.unit,
            "storage.location.template": f"{location}${{{name}}}/",
        }
    return glue.CfnTable.TableInputProperty(
        name=table.name,
        table_type="EXTERNAL_TABLE",
        parameters=parameters,
        partition_keys=partition_keys,
        storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
            columns=[glue.CfnTable.ColumnProperty(name=c, type=t) for c, t in table.columns.items()],
            location=location,
            input_format=TEXT_INPUT_FORMAT,
            output_format=TEXT_OUTPUT_FORMAT,
            serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=JSON_SERDE),
        ),
    )


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
