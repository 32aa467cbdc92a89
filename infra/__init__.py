"""The CDK app that deploys, from `appsync.toml` and the binding registry, exactly what runs locally."""
