"""The thumbnailer's adapters: S3 (the only module that imports boto3) and Pillow."""
