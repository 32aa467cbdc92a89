"""The post-photos adapters: the Posts table and presigned POSTs (the only modules that import boto3)."""
