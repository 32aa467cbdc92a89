"""The rotation's adapters: AppSync's API keys and the site's config file (the only modules importing boto3)."""
