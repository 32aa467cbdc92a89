"""The media uploads adapters: the Media table and the media bucket (the only modules that import boto3), and
Pillow."""
